"""The web processes' WSGI entry (gunicorn ``-c python:config.gunicorn config.wsgi:application``).

The shipped shape is sync workers (one request a process; ``config/gunicorn.py``). With threaded
workers (``--threads``), a process runs a few requests at once under one GIL. A thread whose database answer has arrived — or that has just been given SQLite's write
lock — must wait for the GIL until the running thread's switch interval ends: 5 ms by default,
more than a whole request's own work here, several times per request, and on SQLite while
holding the write lock everyone else queues for. Web processes therefore switch every 0.5 ms
(``WEB_GIL_SWITCH_INTERVAL``, seconds, to change it); the Celery worker keeps the default.
Measured with ``python -m bench tagging`` (see the README's performance table).
"""

from __future__ import annotations

import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.setswitchinterval(float(os.environ.get("WEB_GIL_SWITCH_INTERVAL", "0.0005")))
application = get_wsgi_application()
