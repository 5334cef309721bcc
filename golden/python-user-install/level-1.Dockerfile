FROM python:3.11-slim-bookworm
WORKDIR /worker
COPY requirements.txt .
RUN pip install --no-cache-dir --user -r requirements.txt
COPY worker/ ./worker/
CMD ["python", "-m", "worker"]
