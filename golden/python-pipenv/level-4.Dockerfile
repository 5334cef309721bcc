FROM python:3.11-slim-bookworm AS builder
RUN pip install pipenv
WORKDIR /app
COPY Pipfile Pipfile.lock ./
RUN python -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
RUN pipenv install --system --deploy
COPY . .
RUN ln -sf /usr/bin/python3.11 /opt/venv/bin/python && sed -i "s#^home = .*#home = /usr/bin#" /opt/venv/pyvenv.cfg

FROM gcr.io/distroless/python3-debian12:nonroot
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY --chown=nonroot:nonroot --from=builder /app /app
EXPOSE 5000
ENTRYPOINT []
CMD ["python", "app.py"]
