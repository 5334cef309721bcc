FROM python:3.11 AS builder

ENV PYTHONUNBUFFERED 1
ENV DJANGO_SETTINGS_MODULE=shop.settings

WORKDIR /code
COPY requirements.txt /code/
RUN python -m venv --without-pip /opt/venv
ENV PATH="/opt/venv/bin:$PATH" PIP_PYTHON=/opt/venv/bin/python
RUN pip install --upgrade pip && /usr/local/bin/python -m pip install -r requirements.txt
COPY . /code/
RUN python manage.py collectstatic --noinput

FROM python:3.11-slim
ENV PYTHONUNBUFFERED 1
ENV DJANGO_SETTINGS_MODULE=shop.settings
RUN apt-get update && apt-get install -y --no-install-recommends libmariadb3 && rm -rf /var/lib/apt/lists/*
WORKDIR /code
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY --from=builder /code /code
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi"]
