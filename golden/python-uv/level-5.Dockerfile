FROM python:3.11-slim-bookworm AS builder

# uv from its own image
COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /uvx /bin/

WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --no-dev --frozen
COPY . .
RUN ln -sf /usr/bin/python3.11 /app/.venv/bin/python && sed -i "s#^home = .*#home = /usr/bin#" /app/.venv/pyvenv.cfg

FROM gcr.io/distroless/python3-debian12:nonroot
WORKDIR /app
ENV PATH="/app/.venv/bin:$PATH"
COPY --chown=nonroot:nonroot --from=builder /app /app
EXPOSE 8002
ENTRYPOINT []
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8002"]
