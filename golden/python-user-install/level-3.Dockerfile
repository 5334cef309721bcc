FROM python:3.11-slim-bookworm AS builder
WORKDIR /worker
COPY requirements.txt .
RUN pip install --user -r requirements.txt
COPY worker/ ./worker/

FROM python:3.11-slim-bookworm
WORKDIR /worker
COPY --from=builder /root/.local /root/.local
ENV PATH="/root/.local/bin:$PATH"
COPY --from=builder /worker /worker
CMD ["python", "-m", "worker"]
