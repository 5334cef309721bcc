FROM python:3.11-slim AS builder
WORKDIR /app
COPY . .
RUN python -m venv --without-pip /opt/venv
ENV PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
RUN pip install -r requirements.txt

FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY --from=builder /app /app
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8080"]
