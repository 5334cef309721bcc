FROM python:3.11 AS builder

WORKDIR /app

COPY requirements.txt .
RUN python -m venv --without-pip /opt/venv
ENV PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
RUN pip install -r requirements.txt

COPY . .

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY --from=builder /app /app
EXPOSE 8001
CMD ["python", "app.py"]
