# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr ffmpeg libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt requirements-models.txt ./
RUN pip install -r requirements.txt && pip install --no-deps -r requirements-models.txt
COPY . .
# The same static build CI runs (scripts/collectstatic.sh): a missing file fails the image, not a page.
RUN sh scripts/collectstatic.sh \
    && useradd --system --home /app rtcc \
    && mkdir -p /app/var/media /app/var/recordings /app/var/hotlist-feeds && chown -R rtcc /app/var
USER rtcc
EXPOSE 8000
CMD ["gunicorn", "rtcc.asgi:application", "-k", "rtcc.asgi_worker.UvicornWorker", "-b", "0.0.0.0:8000", "-w", "4"]
