FROM python:3.11-slim AS base
WORKDIR /app
COPY requirements.txt .
RUN python -m pip install --upgrade pip && \
    pip install -r requirements.txt
RUN pip install --no-cache /wheels/*
RUN ["pip3", "install", "flask"]
RUN --mount=type=cache,target=/root/.cache/pip pip install httpx
RUN pip install uv && uv pip install --system rich
RUN pip install poetry==1.1.15
RUN poetry install --no-dev

FROM base
# Set for every pip below: nothing to add.
ENV PIP_NO_CACHE_DIR=1
RUN pip install gunicorn
COPY . .
CMD ["gunicorn", "app:app"]
