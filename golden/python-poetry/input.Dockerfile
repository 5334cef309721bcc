FROM python:3.11-bookworm

ENV PYTHONUNBUFFERED=1 \
    POETRY_NO_INTERACTION=1

RUN pip install poetry==1.8.3

WORKDIR /srv/shop
COPY pyproject.toml poetry.lock ./
RUN poetry config virtualenvs.create false && poetry install --no-root
COPY . .

EXPOSE 8000
CMD ["poetry", "run", "gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
