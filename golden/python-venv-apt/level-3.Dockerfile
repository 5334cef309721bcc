FROM python:3.10-slim AS builder

RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libpq-dev \
    && rm -rf /var/lib/apt/lists/*

RUN useradd -m app

WORKDIR /home/app/web
RUN python -m venv /home/app/venv
ENV PATH="/home/app/venv/bin:$PATH"

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .

ENV FLASK_APP=app.py

FROM python:3.10-slim
ENV PATH="/home/app/venv/bin:$PATH"
ENV FLASK_APP=app.py
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
WORKDIR /home/app/web
COPY --from=builder /etc/passwd /etc/passwd
COPY --from=builder /etc/group /etc/group
COPY --from=builder /home/app/venv /home/app/venv
COPY --from=builder /home/app/web /home/app/web
USER app
CMD ["flask", "run", "--host=0.0.0.0"]
