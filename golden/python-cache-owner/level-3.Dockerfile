# One owner for installer caches: the hygiene step pip-no-cache writes
# --no-cache-dir / --no-cache; python-prod-deps only takes dev groups out.
# A flag the file has, or PIP_NO_CACHE_DIR, is never written again.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml uv.lock requirements-extra.txt ./
RUN pip install --no-cache-dir uv==0.5.11
RUN uv sync --no-cache --no-dev --frozen
# pip installs into the system Python, uv into .venv: not split.
RUN pip install --no-cache-dir -r requirements-extra.txt
ENV PIP_NO_CACHE_DIR=1
RUN pip install gunicorn
COPY . .
CMD ["uv", "run", "uvicorn", "main:app", "--host", "0.0.0.0"]
