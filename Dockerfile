# Tagline production image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TAGLINE_VAR_DIR=/var/lib/tagline

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 1000 tagline \
    && mkdir -p /var/lib/tagline && chown tagline:tagline /var/lib/tagline

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY catalog ./catalog
COPY tagging ./tagging
COPY recommendations ./recommendations
RUN pip install .
COPY . .
# Static files and translations are built into the image; the build needs a throwaway key.
RUN SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --no-input -v 0 \
    && python manage.py compilemessages --ignore=.venv -v 0 \
    && chown -R tagline:tagline /var/lib/tagline

USER tagline
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "-c", "python:config.gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
