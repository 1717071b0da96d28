"""A real Celery worker process drains the outbox and rebuilds lists.

How the worker reaches the test's database (it is another process, so it cannot see an
in-memory database nor uncommitted data):

- PostgreSQL (``DATABASE_URL`` set; always in CI): the test uses ``transactional_db``, so what
  it writes is committed in pytest-django's live test database (``test_<name>``); the worker is
  started with ``DATABASE_URL`` pointing at that same database, and the flush after the test
  cleans up.
- SQLite: the suite's test database lives in memory, so this test builds its own file database
  in a temporary folder (``migrate`` in a subprocess) and every step runs against that file.

In both cases setup, the tag change and the checks run through ``manage.py shell`` subprocesses
on the same ``DATABASE_URL`` as the worker, so the code path is the one production runs: a
commit enqueues ``outbox_drain`` on the broker, the worker claims and rebuilds. The broker is
Redis when ``REDIS_URL`` is set (a queue name unique to this test keeps parallel runs apart),
else kombu's filesystem transport in the temporary folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.integration]

SETUP = """
import importlib
from django.apps import apps as django_apps
# Transactional tests flush every table, the default codebook included: put it back.
importlib.import_module("catalog.migrations.0002_default_codebook").create_codebook(django_apps, None)
from datetime import datetime, timedelta, timezone
from django.db import transaction
from accounts.roles import Role
from accounts.services import user_create
from catalog.models import OutboxEvent, Title
from catalog.services import canonical_tags_set
from recommendations.models import Subscriber, ViewingEvent
genres, tones = ["comedy", "drama", "thriller"], ["quirky", "irreverent", "dark"]
titles = []
for i in range(30):
    t = Title.objects.create(external_id=f"it-{i}", title=f"Film {i}", year=2000)
    with transaction.atomic():
        canonical_tags_set(title=t, values={"genre": [genres[i % 3]], "tone": [tones[(i // 3) % 3]], "violence": i % 6}, source="imported")
    titles.append(t)
t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
for s in range(3):
    user, _ = user_create(username=f"it-viewer{s}", role=Role.SUBSCRIBER, password=None)
    sub = Subscriber.objects.create(user=user)
    for j in range(5):
        ViewingEvent.objects.create(subscriber=sub, title=titles[(s * 7 + j * 2) % 30], event="rated", rating=5 - j % 3, timestamp=t0 + timedelta(days=j))
OutboxEvent.objects.update(processed_at=t0)
from recommendations.services.rebuild import rebuild_all_inline
rebuild_all_inline()
"""

CHANGE = """
from django.db import transaction
from catalog.models import Title
from catalog.services import canonical_tags_set
t = Title.objects.get(external_id="it-0")
with transaction.atomic():
    canonical_tags_set(title=t, values={"genre": ["thriller"], "tone": ["dark"], "violence": 5}, source="adjudicated")
"""

PROBE = """
import json
from catalog.models import OutboxEvent, Title
from catalog.selectors import tags_version
from recommendations.models import RecommendationList
watchers = list(Title.objects.get(external_id="it-0").viewing_events.values_list("subscriber_id", flat=True))
print("PROBE" + json.dumps({
    "pending": OutboxEvent.objects.filter(processed_at__isnull=True).count(),
    "tags_version": tags_version(),
    "lists": {str(r.subscriber_id): {"tags_version": r.tags_version, "n": len(r.title_ids)} for r in RecommendationList.objects.all()},
    "watchers": watchers,
}))
"""


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


@pytest.fixture
def worker_env(transactional_db: None, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        {
            "TAGLINE_VAR_DIR": str(tmp_path / "var"),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_QUEUE": f"it-{uuid.uuid4().hex[:10]}",
            "OUTBOX_SWEEP_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url()
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        _manage(env, "migrate", "--noinput", "-v", "0")
    return env


def _manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [str(BIN / "python"), str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _shell(env: dict[str, str], code: str) -> str:
    return _manage(env, "shell", "-c", code)


def _probe(env: dict[str, str]) -> dict[str, Any]:
    out = _shell(env, PROBE)
    line = next(line for line in out.splitlines() if line.startswith("PROBE"))
    return json.loads(line[len("PROBE") :])


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes]) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return (proc.stdout.read() if proc.stdout else b"").decode(errors="replace")[-4000:]


def _wait(env: dict[str, str], check: Any, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    state = _probe(env)
    while not check(state):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; last state {state}")
        time.sleep(1)
        state = _probe(env)
    return state


def _fresh(state: dict[str, Any]) -> bool:
    lists = state["lists"]
    return state["pending"] == 0 and all(
        lists[str(w)]["tags_version"] == state["tags_version"] for w in state["watchers"]
    )


def test_real_worker_rebuilds_lists_after_a_tag_change(worker_env: dict[str, str]) -> None:
    _shell(worker_env, SETUP)
    before = _probe(worker_env)
    assert before["pending"] == 0
    assert len(before["lists"]) == 3
    assert before["watchers"]
    worker = _start(
        worker_env,
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "-Q",
        worker_env["CELERY_QUEUE"],
        "-n",
        f"{worker_env['CELERY_QUEUE']}@%h",
        "--without-gossip",
        "--without-mingle",
    )
    try:
        _shell(worker_env, CHANGE)  # commits; on_commit sends outbox_drain to the broker
        after = _wait(worker_env, _fresh)
    except BaseException:
        print(_stop(worker))
        raise
    _stop(worker)
    assert after["tags_version"] > before["tags_version"]
    assert all(v["n"] > 0 for v in after["lists"].values())


def test_broker_down_then_the_beat_sweep_rebuilds(worker_env: dict[str, str]) -> None:
    """The tag change commits while no worker runs (tasks pile up or, with a dead broker, are
    lost): a fresh worker plus beat's sweep still drains the outbox."""
    _shell(worker_env, SETUP)
    broken = (
        dict(worker_env, REDIS_URL="redis://127.0.0.1:1/0")
        if worker_env.get("REDIS_URL")
        else worker_env
    )
    _shell(broken, CHANGE)  # with Redis: the publish fails, the write is kept, a warning is logged
    assert _probe(worker_env)["pending"] == 1
    queue = worker_env["CELERY_QUEUE"]
    worker = _start(
        worker_env,
        "worker",
        "--pool",
        "solo",
        "--beat",
        "--schedule",
        str(Path(worker_env["TAGLINE_VAR_DIR"]) / "beat-schedule"),
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
    )
    try:
        after = _wait(worker_env, _fresh)
    except BaseException:
        print(_stop(worker))
        raise
    _stop(worker)
    assert after["pending"] == 0


SETUP_BIG = """
import importlib
from datetime import datetime, timedelta, timezone
import numpy as np
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from catalog.models import CanonicalTags, Title
from recommendations.models import Subscriber, ViewingEvent
importlib.import_module("catalog.migrations.0002_default_codebook").create_codebook(django_apps, None)
rng = np.random.default_rng(3)
genres, tones = ["comedy", "drama", "thriller", "horror", "western"], ["quirky", "irreverent", "dark"]
titles = Title.objects.bulk_create([Title(external_id=f"big-{i}", title=f"Big {i}") for i in range(800)])
CanonicalTags.objects.bulk_create([CanonicalTags(title=t, values={"genre": [genres[i % 5]], "tone": [tones[i % 3]], "violence": i % 6}) for i, t in enumerate(titles)])
users = get_user_model().objects.bulk_create([get_user_model()(username=f"big{i}") for i in range(3000)])
subs = Subscriber.objects.bulk_create([Subscriber(user=u) for u in users])
t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
ViewingEvent.objects.bulk_create([
    ViewingEvent(subscriber=s, title=titles[int(t)], event="rated", rating=float(rng.integers(1, 6)), timestamp=t0 + timedelta(minutes=j))
    for s in subs for j, t in enumerate(rng.choice(800, 15, replace=False))
], batch_size=5000)
from recommendations.services.rebuild import rebuild_all_inline
rebuild_all_inline()
"""

TAXONOMY = """
from django.db import transaction
from catalog.models import OutboxEvent
from catalog.outbox import outbox_record
with transaction.atomic():
    outbox_record(kind=OutboxEvent.Kind.TAXONOMY)
"""

LISTS = """
import json
from catalog.models import OutboxEvent
from recommendations.models import RebuildRun, RecommendationList
print("PROBE" + json.dumps({
    "pending": OutboxEvent.objects.filter(processed_at__isnull=True).count(),
    "lists": RecommendationList.objects.count(),
    "empty": sum(1 for r in RecommendationList.objects.all() if not r.title_ids),
    "full_done": RebuildRun.objects.filter(kind="full", parent__isnull=True, status="done").count(),
    "running": RebuildRun.objects.filter(status="running").count(),
}))
"""


def _full_running(env: dict[str, str]) -> bool:
    if connection.vendor == "postgresql":
        from recommendations.models import RebuildRun

        return RebuildRun.objects.filter(kind="full", status="running").exists()
    import sqlite3

    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=20) as db:
        return bool(
            db.execute(
                "SELECT count(*) FROM recommendations_rebuildrun WHERE kind='full' AND status='running'"
            ).fetchone()[0]
        )


def _lists_probe(env: dict[str, str]) -> dict[str, Any]:
    out = _shell(env, LISTS)
    return json.loads(
        next(line for line in out.splitlines() if line.startswith("PROBE"))[len("PROBE") :]
    )


def test_worker_killed_mid_rebuild_leaves_lists_whole_and_the_sweep_rebuilds(
    worker_env: dict[str, str],
) -> None:
    _shell(worker_env, SETUP_BIG)
    assert _lists_probe(worker_env) == {
        "pending": 0,
        "lists": 3000,
        "empty": 0,
        "full_done": 1,
        "running": 0,
    }
    queue = worker_env["CELERY_QUEUE"]
    worker = _start(
        worker_env,
        "worker",
        "--pool",
        "solo",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
    )
    try:
        _shell(worker_env, TAXONOMY)  # every list must be rebuilt
        deadline = time.monotonic() + 120
        while not _full_running(worker_env):
            assert time.monotonic() < deadline, "the worker never started the rebuild"
            time.sleep(0.05)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # no cleanup, no ack: like a machine dying
        worker.wait()
    state = _lists_probe(worker_env)
    print("after the kill:", state)
    assert state["lists"] == 3000
    assert state["empty"] == 0
    assert (
        state["pending"] == 1 or state["full_done"] == 2
    )  # killed before it could finish (or just after)
    # A new worker with beat: the sweep re-claims the dead worker's rows after the timeout.
    env = dict(worker_env, OUTBOX_CLAIM_TIMEOUT="2")
    worker = _start(
        env,
        "worker",
        "--pool",
        "solo",
        "--beat",
        "--schedule",
        str(Path(env["TAGLINE_VAR_DIR"]) / "beat-schedule-2"),
        "-Q",
        queue,
        "-n",
        f"{queue}b@%h",
        "--without-gossip",
        "--without-mingle",
    )
    try:
        deadline = time.monotonic() + 180
        state = _lists_probe(env)
        while not (state["pending"] == 0 and state["full_done"] >= 2):
            assert time.monotonic() < deadline, f"not rebuilt after the kill: {state}"
            time.sleep(1)
            state = _lists_probe(env)
    except BaseException:
        print(_stop(worker))
        raise
    _stop(worker)
    assert state["lists"] == 3000
    assert state["empty"] == 0
    assert state["running"] == 0  # the dead worker's run was closed as failed when taken over
