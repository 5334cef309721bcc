FROM python:3.10-slim

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

USER app
ENV FLASK_APP=app.py
CMD ["flask", "run", "--host=0.0.0.0"]
