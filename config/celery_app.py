"""The Celery application. Broker is Redis when ``REDIS_URL`` is set, else kombu's filesystem
transport in ``var/broker`` so the embedded default runs a real worker with no server."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
