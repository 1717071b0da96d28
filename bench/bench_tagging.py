"""Taggers' workflow under load.

1. Tag page server time with the full shipped taxonomy (p50/p95, Django test client in a child
   process, so it is the server's own time) and the htmx autosave's server time.
2. Autosave round trip over HTTP: ``PATCH /api/v1/taggings/{id}/`` with its version against a
   real gunicorn on loopback.
3. 20 taggers at once, each looping next title -> create draft -> submit for N seconds (60, or
   10 with --quick) against gunicorn: requests/s, p50/p95 per call, errors, titles over their
   overlap. On a file SQLite database (WAL, IMMEDIATE, busy timeout) and, when DATABASE_URL is
   PostgreSQL, on a scratch PostgreSQL database too.

Each load run also reports the server's own time per request (gunicorn's access log, %(D)s:
from the request read to the response written, so without the client and the accept queue),
the CPU seconds the load generator and the gunicorn workers used, and the load average. The
load generator is wrk when installed (``bench/wrk_taggers.lua``: one C thread per tagger, so
client latencies are not this process's GIL queue; ``make bench`` installs it), else Python
threads (``BENCH_TAGGING_CLIENT=threads`` forces them; they also give client times per call).
wrk runs at a higher scheduling priority (``nice -n -10`` when allowed;
``BENCH_TAGGING_CLIENT_NICE`` sets it, 0 turns it off): the 20 taggers stand for people on their
own machines, but here they share the 2 cores with the server, and a tagger's thread waiting
behind ~10 runnable server threads to read its answer added that wait to the measured latency.
It uses ~2 % of the CPU, so it takes nearly nothing from the server.
``BENCH_TAGGING_THINK=1-3`` adds a tagger's think time (uniform, seconds) between calls — the
realistic case: a tagger spends minutes per title (the run is then three times longer).
The server runs the production settings (``config.gunicorn``: sync workers, 2 a core);
``BENCH_TAGGING_WORKERS``, ``BENCH_TAGGING_THREADS`` and ``BENCH_TAGGING_WORKER_CLASS`` set
another shape to compare (e.g. 4, 5, gthread); ``BENCH_TAGGING_SKIP_BASELINE=1`` skips the baselines,
``BENCH_TAGGING_ONLY=sqlite`` (or ``postgresql``) runs one database. On PostgreSQL the CPU of the local ``postgres`` processes is
reported too (every local backend: other clients of the same server count in it).

Baseline, same run, same loop: a naive claim (count the title's assignments, then insert — a
read-then-write without the conditional write or row lock) and, on SQLite, Django's default
transactions (DEFERRED, 5 s timeout, rollback journal). The server is switched to it by
``bench/tagging_wsgi.py`` when BENCH_TAGGING_BASELINE=1; nothing in the app knows about it.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import resource
import shutil
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


def _shape() -> list[str]:
    """The production shape (``config.gunicorn``: sync workers, 2 a core) unless
    BENCH_TAGGING_WORKERS / _THREADS / _WORKER_CLASS set another, to compare."""
    args = []
    if workers := os.environ.get("BENCH_TAGGING_WORKERS"):
        args += ["-w", workers]
    if worker_class := os.environ.get("BENCH_TAGGING_WORKER_CLASS"):
        args += ["-k", worker_class]
    if threads := os.environ.get("BENCH_TAGGING_THREADS"):
        args += ["--threads", threads]
    return args


def _shape_label() -> str:
    from config import gunicorn as production

    workers = os.environ.get("BENCH_TAGGING_WORKERS", str(production.workers))
    worker_class = os.environ.get("BENCH_TAGGING_WORKER_CLASS", production.worker_class)
    threads = os.environ.get("BENCH_TAGGING_THREADS", "")
    return f"gunicorn {workers} {worker_class}" + (f" x {threads} threads" if threads else "")


def _think() -> tuple[float, float] | None:
    spec = os.environ.get("BENCH_TAGGING_THINK", "")
    if not spec:
        return None
    low, _, high = spec.partition("-")
    return float(low), float(high or low)


def _postgres_cpu() -> dict[int, float]:
    """User + system CPU so far of every local ``postgres`` process, by pid (empty when none is
    readable): the database's own share of a PostgreSQL run, which gunicorn's CPU does not
    include."""
    out: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
        except OSError:
            continue
        if head.endswith("(postgres"):
            fields = rest.split()
            out[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf(
                "SC_CLK_TCK"
            )
    return out


def _postgres_cpu_since(before: dict[int, float]) -> float:
    """CPU the ``postgres`` processes alive now used since ``before`` (a process that exited
    meanwhile is left out rather than its whole life subtracted)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in _postgres_cpu().items())


class Server:
    """gunicorn on a free loopback port (``config.gunicorn``'s shape), with an access log of each
    request's server time in microseconds."""

    def __init__(self, env: dict[str, str], access_log: Path) -> None:
        self.port = _free_port()
        self.access_log = access_log
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "-c",
                "python:config.gunicorn",
                "bench.tagging_wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                *_shape(),
                "--log-level",
                "warning",
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
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

    def cpu_seconds(self) -> float:
        """User + system CPU of the gunicorn master and its workers so far."""
        total = 0.0
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            pids += [int(p) for p in children.split()]
        except OSError:
            return float("nan")
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def server_times(self, offset: int) -> dict[str, list[float]]:
        """Server time (s) per call kind from the access log, from byte ``offset`` on."""
        out: dict[str, list[float]] = defaultdict(list)
        with self.access_log.open() as log:
            log.seek(offset)
            for line in log:
                parts = line.split()
                if len(parts) != 4:
                    continue
                _method, path, _status, micros = parts
                kind = (
                    "next"
                    if path.endswith("/next/")
                    else "submit"
                    if path.endswith("/submit/")
                    else "draft"
                )
                out[kind].append(int(micros) / 1e6)
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Api:
    """One tagger's keep-alive connection (http.client: light on the shared CPU)."""

    def __init__(self, port: int, token: str, think: tuple[float, float] | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.think = think

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object, float]:
        if self.think is not None:
            time.sleep(random.uniform(*self.think))
        payload = None if body is None else json.dumps(body)
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, payload, self.headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closed the idle keep-alive connection (its keepalive is 2 s, a
                # thinking tagger waits longer) before reading this request: reconnect and
                # send it again, as browsers and urllib3 do. Timed from the first attempt.
                self.conn.close()
                if attempt == 2:
                    return 599, None, time.perf_counter() - started
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


WRK = shutil.which("wrk")
WRK_SCRIPT = ROOT / "bench" / "wrk_taggers.lua"


def _drive_threads(port: int, tokens: list[str], seconds: float) -> dict[str, object]:
    """TAGGERS Python threads loop next -> draft -> submit until time is up or the pool is
    empty (with BENCH_TAGGING_THINK, each waits that long before every call). Their latencies
    include this process's own GIL queue."""
    think = _think()
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
        api = Api(port, token, think)
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

    threads = [threading.Thread(target=tagger, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [x for values in latencies.values() for x in values]
    return {
        "client": "Python threads",
        "requests": len(every),
        "loops": loops[0],
        "p50": _pct(every, 50),
        "p95": _pct(every, 95),
        "calls": {k: (_pct(v, 50), _pct(v, 95)) for k, v in latencies.items()},
        "error_kinds": dict(errors),
    }


def _client_priority() -> list[str]:
    """``nice -n N`` for the load generator (see the module docstring), when allowed."""
    nice = int(os.environ.get("BENCH_TAGGING_CLIENT_NICE", "-10"))
    if nice == 0 or (nice < 0 and os.geteuid() != 0) or shutil.which("nice") is None:
        return []
    return ["nice", "-n", str(nice)]


def _drive_wrk(port: int, tokens: list[str], seconds: float) -> dict[str, object]:
    """The same loop in wrk (``bench/wrk_taggers.lua``): one C thread and connection per
    tagger, timing each call itself, so the latencies hold no client GIL queue and the load
    generator takes little of the shared CPU."""
    assert WRK is not None
    think = _think() or (0.0, 0.0)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        token_file, body_file = Path(tmp) / "tokens", Path(tmp) / "values.json"
        token_file.write_text("\n".join(tokens) + "\n")
        body_file.write_text(json.dumps(COMPLETE))
        done = subprocess.run(
            [
                *_client_priority(),
                WRK,
                f"-t{len(tokens)}",
                f"-c{len(tokens)}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                str(WRK_SCRIPT),
                f"http://127.0.0.1:{port}",
                "--",
                str(token_file),
                str(round(think[0] * 1000)),
                str(round(think[1] * 1000)),
                str(body_file),
                tmp,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        latencies: dict[str, list[float]] = defaultdict(list)
        for path in Path(tmp).glob("latencies-*"):
            for line in path.read_text().splitlines():
                kind, _, ms = line.partition(" ")
                latencies[kind].append(float(ms) / 1000)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    kinds = {f"{name} failed": n for name, n in r["errors"].items() if n}
    if r["socket_errors"]:
        kinds["socket errors"] = r["socket_errors"]
    every = [x for values in latencies.values() for x in values]
    return {
        "client": "wrk",
        "requests": r["requests"],
        "loops": r["loops"],
        "p50": _pct(every, 50),
        "p95": _pct(every, 95),
        "calls": {k: (_pct(v, 50), _pct(v, 95)) for k, v in latencies.items()},
        "error_kinds": kinds,
    }


def _load(server: Server, tokens: list[str], seconds: float) -> dict[str, object]:
    """TAGGERS taggers looping next -> draft -> submit for ``seconds`` (wrk when installed,
    else Python threads; BENCH_TAGGING_CLIENT=threads forces the threads), with the CPU each
    side used and the server's own time per call from gunicorn's access log."""
    use_wrk = WRK is not None and os.environ.get("BENCH_TAGGING_CLIENT", "") != "threads"
    log_offset = server.access_log.stat().st_size if server.access_log.exists() else 0
    server_cpu = server.cpu_seconds()
    db_cpu_before = _postgres_cpu()
    own = _client_cpu_seconds()
    started = time.monotonic()
    if use_wrk:
        result = _drive_wrk(server.port, tokens, seconds)
    else:
        result = _drive_threads(server.port, tokens, seconds)
    wall = time.monotonic() - started
    client_cpu = _client_cpu_seconds() - own
    server_cpu = server.cpu_seconds() - server_cpu
    db_cpu = _postgres_cpu_since(db_cpu_before)
    time.sleep(0.5)  # let gunicorn flush its access log
    served = server.server_times(log_offset)
    served_all = [x for values in served.values() for x in values]
    requests = int(result["requests"])  # type: ignore[call-overload]
    cores = os.cpu_count() or 1
    return {
        **result,
        "think": _think(),
        "loadavg": os.getloadavg()[0],
        "client_cpu_share": client_cpu / wall / cores,
        "server_cpu_share": server_cpu / wall / cores,
        "client_ms_per_req": client_cpu / max(requests, 1) * 1000,
        "server_ms_per_req": server_cpu / max(requests, 1) * 1000,
        "db_ms_per_req": db_cpu / max(requests, 1) * 1000,
        "server_p50": _pct(served_all, 50),
        "server_p95": _pct(served_all, 95),
        "server_calls": {k: (_pct(v, 50), _pct(v, 95)) for k, v in served.items()},
        "wall": wall,
        "rps": requests / wall,
        "errors": sum(result["error_kinds"].values()),  # type: ignore[attr-defined]
    }


def _client_cpu_seconds() -> float:
    """This process's CPU and its finished children's (wrk): the load generator's share."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


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
    server = Server(env, workdir / f"access-{label.split()[0]}-{int(baseline)}.log")
    try:
        if measure_pages:
            result["autosave_http"] = _autosave_round_trip(server.port, tokens[TAGGERS], 200)
        result["load"] = _load(server, tokens[:TAGGERS], seconds)
    finally:
        server.stop()
    result["overlap"] = json.loads(_child(env, f"_overlap_report({OVERLAP})"))
    return result


def run(quick: bool) -> None:
    seconds = 10.0 if quick else 60.0
    n_titles = 1500 if quick else 6000
    scenarios: list[dict[str, object]] = []
    database_url = os.environ.get("DATABASE_URL", "")
    modes = (False,) if os.environ.get("BENCH_TAGGING_SKIP_BASELINE") == "1" else (False, True)
    only = os.environ.get("BENCH_TAGGING_ONLY", "")  # "sqlite" or "postgresql": one database
    think = _think()
    if think is not None:  # 20 paced taggers make ~10 requests/s: give them a longer run
        seconds *= 3
    with tempfile.TemporaryDirectory(prefix="bench-tagging-") as tmp:
        workdir = Path(tmp)
        for baseline in modes if only != "postgresql" else ():
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
        if database_url.startswith(("postgres://", "postgresql://")) and only != "sqlite":
            base = urlparse(database_url).path.lstrip("/") or "tagline"
            for baseline in modes:
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
    think = scenarios[0]["load"]["think"] if scenarios else None
    pacing = "no think time" if think is None else f"think time {think[0]:g}-{think[1]:g} s"
    print(
        f"\n{TAGGERS} taggers looping next -> draft -> submit for {seconds:.0f} s, {pacing} "
        f"(overlap {OVERLAP}, {_shape_label()}, {os.cpu_count()} CPUs, "
        f"load generator: {scenarios[0]['load']['client'] if scenarios else '-'}):"
    )
    head = (
        f"{'run':<24}{'req/s':>7}{'loops':>7}{'p50 ms':>8}{'p95 ms':>8}{'srv p50':>9}"
        f"{'srv p95':>9}{'errors':>8}{'over':>6}{'max':>5}{'cli CPU':>9}{'srv CPU':>9}{'load':>6}"
    )
    print(head)
    print("-" * len(head))
    for s in scenarios:
        load, over = s["load"], s["overlap"]
        print(
            f"{s['label']:<24}{load['rps']:>7.0f}{load['loops']:>7}{load['p50']:>8.1f}"
            f"{load['p95']:>8.1f}{load['server_p50']:>9.1f}{load['server_p95']:>9.1f}"
            f"{load['errors']:>8}{over['over']:>6}{over['max']:>5}"
            f"{load['client_cpu_share']:>8.0%} {load['server_cpu_share']:>8.0%} {load['loadavg']:>5.2f}"
        )
    print(
        "  (p50/p95: client round trip; srv: gunicorn's own time per request; CPU: share of all "
        "cores used by the load generator / by gunicorn; load: 1-min load average at the end)"
    )
    for s in scenarios:
        load = s["load"]
        client = load["calls"]
        calls = ", ".join(
            f"{k} p95 {client[k][1]:.1f} ms (srv {v[1]:.1f})"
            for k, v in sorted(load["server_calls"].items())
            if k in client
        )
        print(
            f"  {s['label']}: {calls}; CPU per request: client {load['client_ms_per_req']:.2f} ms, "
            f"server {load['server_ms_per_req']:.2f} ms"
            + (
                f", PostgreSQL processes {load['db_ms_per_req']:.2f} ms"
                if s["label"].startswith("PostgreSQL")
                else ""
            )
        )
        if load["error_kinds"]:
            print(f"  {s['label']} errors: {load['error_kinds']}")
