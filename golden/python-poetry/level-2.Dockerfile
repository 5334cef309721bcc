FROM python:3.11-slim-bookworm AS builder

ENV PYTHONUNBUFFERED=1 \
    POETRY_NO_INTERACTION=1

RUN pip install poetry==1.8.3

WORKDIR /srv/shop
COPY pyproject.toml poetry.lock ./
RUN python -m venv --without-pip /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH="/opt/venv/bin:$PATH"
RUN poetry config virtualenvs.create false && poetry install --no-root
COPY . .

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1
WORKDIR /srv/shop
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY --from=builder /srv/shop /srv/shop
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
