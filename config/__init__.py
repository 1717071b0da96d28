"""Tagline's project package: settings, root URLs and the Celery app (``celery -A config``)."""

from __future__ import annotations

from .celery_app import app as celery_app

__all__ = ("celery_app",)
