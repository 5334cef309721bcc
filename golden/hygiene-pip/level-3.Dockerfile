FROM python:3.11-slim AS base
WORKDIR /app
COPY requirements.txt .
RUN python -m pip install --no-cache-dir --upgrade pip && \
    pip install --no-cache-dir -r requirements.txt
RUN pip install --no-cache /wheels/*
RUN ["pip3", "install", "--no-cache-dir", "flask"]
RUN --mount=type=cache,target=/root/.cache/pip pip install httpx
RUN pip install --no-cache-dir uv && uv pip install --no-cache --system rich
RUN pip install --no-cache-dir poetry==1.1.15
RUN poetry install --no-dev

FROM base
# Set for every pip below: nothing to add.
ENV PIP_NO_CACHE_DIR=1
RUN pip install gunicorn
COPY . .
CMD ["gunicorn", "app:app"]
