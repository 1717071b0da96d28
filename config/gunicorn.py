"""gunicorn settings for the web processes: ``gunicorn -c python:config.gunicorn config.wsgi``.

Sync workers, two per core (``WEB_CONCURRENCY`` to change it). Each worker takes a request from
the shared accept queue only when it is free, so requests are served in arrival order by
whichever worker frees first; threaded workers (gthread 4 × 5) ran 20 requests at once on the 2
cores, each held by a connection to one worker, so every request was slowed by all the others
and the heaviest most. With the 20 taggers' loop on PostgreSQL (``python -m bench tagging``,
back to back on this 2-core machine): p95 89–101 ms with 4 sync workers against 126–227 ms
with gthread 4 × 5; 5, 6 and 8 sync workers gave 105, 98 and 138 ms.

Sync workers answer one client at a time, so a slow client holds a worker: in production they
sit behind a buffering proxy or load balancer (gunicorn's own advice), as the README says.
"""

from __future__ import annotations

import multiprocessing
import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
