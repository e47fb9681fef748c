# liveassist server image. Build: docker build -t liveassist .
# Run:   docker run -p 8000:8000 -v liveassist-data:/data liveassist
# The default database is SQLite in /data; set LIVEASSIST_DATABASE_URL for PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIVEASSIST_DATA_DIR=/data

WORKDIR /app

# Dependencies first, pinned, so code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY tools ./tools
COPY prompts ./prompts
COPY evals ./evals
RUN pip install --no-cache-dir --no-deps . \
    && useradd --create-home --uid 10001 liveassist \
    && mkdir -p /data \
    && chown liveassist /data

USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["liveassist", "serve", "--host", "0.0.0.0", "--port", "8000"]
