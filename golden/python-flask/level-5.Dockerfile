# A Flask service served by gunicorn, the way the tutorial writes it.
FROM python:3.12-slim AS builder

WORKDIR /app

COPY . .

RUN python -m venv --without-pip /opt/venv
ENV PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
RUN pip install -r requirements.txt

FROM python:3.12-slim
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY --from=builder /app /app
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "app:app"]
