FROM python:3.11-slim-bookworm
RUN pip install --no-cache-dir pipenv
WORKDIR /app
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy --dev
COPY . .
EXPOSE 5000
CMD ["python", "app.py"]
