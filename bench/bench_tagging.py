"""Taggers' workflow under load.

1. Tag page server time with the full shipped taxonomy (p50/p95, Django test client in a child
   process, so it is the server's own time) and the htmx autosave's server time.
2. Autosave round trip over HTTP: ``PATCH /api/v1/taggings/{id}/`` with its version against a
   real gunicorn on loopback.
3. 20 taggers at once, each looping next title -> create draft -> submit for N seconds (60, or
   10 with --quick) against gunicorn: requests/s, p50/p95 per call, errors, titles over their
   overlap. On a file SQLite database (WAL, IMMEDIATE, busy timeout) and, when DATABASE_URL is
   PostgreSQL, on a scratch PostgreSQL database too.

Baseline, same run, same loop: a naive claim (count the title's assignments, then insert — a
read-then-write without the conditional write or row lock) and, on SQLite, Django's default
transactions (DEFERRED, 5 s timeout, rollback journal). The server is switched to it by
``bench/tagging_wsgi.py`` when BENCH_TAGGING_BASELINE=1; nothing in the app knows about it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
TAGGERS = 20
OVERLAP = 2
COMPLETE = {
    "genre": ["drama", "thriller"],
    "tone": ["dark", "suspenseful"],
    "violence": 3,
    "sex": 1,
    "language": 2,
    "suspense": 4,
    "time-period": "contemporary",
    "true-story": False,
}


# --- child process: seed and in-process measurements --------------------------------------


def _seed(n_titles: int) -> None:
    """Migrate, create TAGGERS taggers with API tokens plus one page tagger, and the titles."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from catalog.models import Title

    call_command("migrate", verbosity=0)
    group, _ = Group.objects.get_or_create(name="tagger")
    password = make_password("bench-password")
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"bench{i}", password=password) for i in range(TAGGERS + 1)]
    )
    users = list(user_model.objects.filter(username__startswith="bench").order_by("id"))
    group.user_set.add(*users)
    tokens = [Token.objects.create(user=u).key for u in users]
    Title.objects.bulk_create(
        Title(
            external_id=f"b{i}",
            title=f"Bench title {i}",
            year=1950 + i % 70,
            runtime_minutes=90 + i % 60,
            synopsis="A stranger arrives in a small town and nothing is what it seems. " * 3,
        )
        for i in range(n_titles)
    )
    print(json.dumps(tokens))


def _page_times(samples: int) -> None:
    """Server time of the tag page (full taxonomy) and of the htmx autosave, in-process."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from catalog.models import Title
    from tagging.models import Assignment

    user = get_user_model().objects.get(username=f"bench{TAGGERS}")
    title = Title.objects.order_by("-id").first()
    Assignment.objects.get_or_create(title=title, tagger=user)
    client = Client()
    client.force_login(user)
    url = f"/tagging/tag/{title.pk}/"
    client.get(url)  # warm caches and template loading
    page = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(url)
        page.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    form = {
        "v-genre": ["drama"],
        "v-tone": ["dark"],
        "v-violence": "3",
        "notes": "bench",
        "seconds_spent": "5",
    }
    save = []
    for version, i in enumerate(range(samples)):
        form["v-violence"] = str(i % 6)
        started = time.perf_counter()
        response = client.post(
            f"{url}save/", {**form, "version": str(version)}, HTTP_HX_REQUEST="true"
        )
        save.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
    print(json.dumps({"page": page, "save": save, "bytes": len(client.get(url).content)}))


def _overlap_report(overlap: int) -> None:
    import django

    django.setup()
    from django.db.models import Count

    from tagging.models import Assignment, Tagging

    per_title = Assignment.objects.values("title").annotate(n=Count("id"))
    print(
        json.dumps(
            {
                "over": sum(1 for row in per_title if row["n"] > overlap),
                "max": max((row["n"] for row in per_title), default=0),
                "assignments": Assignment.objects.count(),
                "submitted": Tagging.objects.filter(status="submitted").count(),
            }
        )
    )


# --- parent: databases, server, load ------------------------------------------------------


def _child(env: dict[str, str], call: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"import bench.bench_tagging as b; b.{call}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{call} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def _postgres(url: str, name: str) -> str:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def _drop_postgres(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn on a free loopback port: 4 workers x 5 threads = 20 concurrent requests."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "bench.tagging_wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "4",
                "-k",
                "gthread",
                "--threads",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status < 500:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Api:
    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object, float]:
        payload = None if body is None else json.dumps(body)
        started = time.perf_counter()
        try:
            self.conn.request(method, path, payload, self.headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return 599, None, time.perf_counter() - started
        elapsed = time.perf_counter() - started
        data = (
            json.loads(raw)
            if raw and response.getheader("Content-Type", "").startswith("application/json")
            else None
        )
        return response.status, data, elapsed


def _autosave_round_trip(port: int, token: str, samples: int) -> list[float]:
    api = Api(port, token)
    status, data, _ = api.call("POST", "/api/v1/assignments/next/")
    assert status == 200, status
    tagging = data["tagging"]  # the page measurement already started this title's draft
    if tagging is None:
        status, tagging, _ = api.call(
            "POST", "/api/v1/taggings/", {"title": data["title"]["id"], "values": {}}
        )
        assert status == 201, (status, tagging)
    version, times = tagging["version"], []
    for i in range(samples):
        status, body, elapsed = api.call(
            "PATCH",
            f"/api/v1/taggings/{tagging['id']}/",
            {"version": version, "values": {**COMPLETE, "violence": i % 6}, "notes": "autosave"},
        )
        assert status == 200, (status, body)
        version = body["version"]
        times.append(elapsed)
    return times


def _load(port: int, tokens: list[str], seconds: float) -> dict[str, object]:
    """TAGGERS threads loop next -> draft -> submit until time is up or the pool is empty."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    loops = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    barrier = threading.Barrier(len(tokens))

    def record(name: str, status: int, elapsed: float, ok: tuple[int, ...]) -> bool:
        with lock:
            latencies[name].append(elapsed)
            if status not in ok:
                errors[f"{name} {status}"] += 1
        return status in ok

    def tagger(token: str) -> None:
        api = Api(port, token)
        barrier.wait()
        while time.monotonic() < deadline:
            status, data, elapsed = api.call("POST", "/api/v1/assignments/next/")
            if not record("next", status, elapsed, (200, 204)) or status == 204:
                if status == 204:
                    return
                continue
            existing = data.get("tagging") if isinstance(data, dict) else None
            if existing:
                status, tagging, elapsed = api.call(
                    "PATCH",
                    f"/api/v1/taggings/{existing['id']}/",
                    {"version": existing["version"], "values": COMPLETE},
                )
                ok = record("draft", status, elapsed, (200,))
            else:
                status, tagging, elapsed = api.call(
                    "POST",
                    "/api/v1/taggings/",
                    {"title": data["title"]["id"], "values": COMPLETE, "notes": "bench"},
                )
                ok = record("draft", status, elapsed, (201,))
            if not ok:
                continue
            status, _, elapsed = api.call(
                "POST", f"/api/v1/taggings/{tagging['id']}/submit/", {"version": tagging["version"]}
            )
            if record("submit", status, elapsed, (200,)):
                with lock:
                    loops[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=tagger, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    every = [x for values in latencies.values() for x in values]
    return {
        "wall": wall,
        "requests": len(every),
        "rps": len(every) / wall,
        "loops": loops[0],
        "p50": _pct(every, 50),
        "p95": _pct(every, 95),
        "next_p50": _pct(latencies["next"], 50),
        "next_p95": _pct(latencies["next"], 95),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }


def _pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def _scenario(
    label: str,
    db_url: str,
    *,
    baseline: bool,
    n_titles: int,
    seconds: float,
    workdir: Path,
    measure_pages: bool,
) -> dict[str, object]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "bench.tagging_settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "TAGLINE_VAR_DIR": str(workdir),
        "TAGGING_OVERLAP": str(OVERLAP),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "ERROR",
        "BENCH_TAGGING_BASELINE": "1" if baseline else "0",
    }
    if baseline:
        env["DJANGO_SETTINGS_MODULE"] = "bench.tagging_baseline_settings"
    tokens = json.loads(_child(env, f"_seed({n_titles})"))
    result: dict[str, object] = {"label": label}
    if measure_pages:
        result["pages"] = json.loads(_child(env, "_page_times(200)"))
    server = Server(env)
    try:
        if measure_pages:
            result["autosave_http"] = _autosave_round_trip(server.port, tokens[TAGGERS], 200)
        result["load"] = _load(server.port, tokens[:TAGGERS], seconds)
    finally:
        server.stop()
    result["overlap"] = json.loads(_child(env, f"_overlap_report({OVERLAP})"))
    return result


def run(quick: bool) -> None:
    seconds = 10.0 if quick else 60.0
    n_titles = 1500 if quick else 6000
    scenarios: list[dict[str, object]] = []
    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="bench-tagging-") as tmp:
        workdir = Path(tmp)
        for baseline in (False, True):
            mode = "baseline" if baseline else "Tagline"
            db = f"sqlite:///{workdir / f'{mode}.sqlite3'}"
            print(f"-- SQLite file, {mode}: {TAGGERS} taggers for {seconds:.0f} s", flush=True)
            scenarios.append(
                _scenario(
                    f"SQLite · {mode}",
                    db,
                    baseline=baseline,
                    n_titles=n_titles,
                    seconds=seconds,
                    workdir=workdir,
                    measure_pages=not baseline,
                )
            )
        if database_url.startswith(("postgres://", "postgresql://")):
            base = urlparse(database_url).path.lstrip("/") or "tagline"
            for baseline in (False, True):
                mode = "baseline" if baseline else "Tagline"
                db = _postgres(database_url, f"{base}_bench_{mode.lower()}")
                print(f"-- PostgreSQL, {mode}: {TAGGERS} taggers for {seconds:.0f} s", flush=True)
                try:
                    scenarios.append(
                        _scenario(
                            f"PostgreSQL · {mode}",
                            db,
                            baseline=baseline,
                            n_titles=n_titles,
                            seconds=seconds,
                            workdir=workdir,
                            measure_pages=not baseline,
                        )
                    )
                finally:
                    _drop_postgres(db)
    _print(scenarios, seconds)


def _print(scenarios: list[dict[str, object]], seconds: float) -> None:
    for s in scenarios:
        if "pages" in s:
            pages = s["pages"]
            print(
                f"\n{s['label']}: tag page (full taxonomy, {pages['bytes'] // 1024} KiB) server time "
                f"p50 {_pct(pages['page'], 50):.1f} ms, p95 {_pct(pages['page'], 95):.1f} ms (target < 100 ms)"
            )
            print(
                f"{s['label']}: htmx autosave server time p50 {_pct(pages['save'], 50):.1f} ms, "
                f"p95 {_pct(pages['save'], 95):.1f} ms; API PATCH round trip over HTTP "
                f"p50 {_pct(s['autosave_http'], 50):.1f} ms, p95 {_pct(s['autosave_http'], 95):.1f} ms (target < 50 ms)"
            )
    print(
        f"\n{TAGGERS} taggers looping next -> draft -> submit for {seconds:.0f} s (overlap {OVERLAP}):"
    )
    head = f"{'run':<24}{'req/s':>8}{'loops':>7}{'p50 ms':>9}{'p95 ms':>9}{'next p95':>10}{'errors':>8}{'over overlap':>14}{'max/title':>11}"
    print(head)
    print("-" * len(head))
    for s in scenarios:
        load, over = s["load"], s["overlap"]
        print(
            f"{s['label']:<24}{load['rps']:>8.0f}{load['loops']:>7}{load['p50']:>9.1f}{load['p95']:>9.1f}"
            f"{load['next_p95']:>10.1f}{load['errors']:>8}{over['over']:>14}{over['max']:>11}"
        )
    for s in scenarios:
        if s["load"]["error_kinds"]:
            print(f"  {s['label']} errors: {s['load']['error_kinds']}")
