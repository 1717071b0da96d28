"""Subscriber read path under load: the home page and ``/api/v1/me/recommendations/`` served by
gunicorn on loopback from precomputed lists, against a baseline that computes the list inside
the request (score every tagged title against the subscriber's history), same server, same run.

PostgreSQL when ``DATABASE_URL`` points at one (a scratch database ``<name>_bench`` is created
next to it), else a file SQLite in a temporary folder. 50 concurrent users, each on its own
keep-alive connection with its own session, for a fixed time per scenario. The load generator
is wrk (``bench/wrk_users.lua``: C, one thread per user, so the latencies are not the client's
GIL queue); without wrk, Python threads stand in and say so. wrk corrects its percentiles for
coordinated omission (a stall on a connection also counts the requests a steady user would have
sent meanwhile), so its p95 is stricter than a plain percentile; the server's own p95 from
gunicorn's access log is printed beside it. Two loads: closed
loop (no think time: saturation, latency includes queueing on this machine's two cores) and
"browsing" users who wait ~1 s (0.5-1.5 s) between requests. Targets: home p95 < 50 ms, API
p95 < 20 ms. One sequential user first gives the service time without queueing.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import import_module
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_SUBSCRIBER_PORT", "8104"))
USERS = 50
GENRES = [
    "comedy",
    "drama",
    "thriller",
    "crime",
    "romance",
    "sci-fi",
    "horror",
    "animation",
    "documentary",
    "western",
]
TONES = [
    "irreverent",
    "emotional",
    "dark",
    "quirky",
    "sincere",
    "suspenseful",
    "whimsical",
    "gritty",
]


# --- the scratch database (runs in a child process with its own DATABASE_URL) -------------


def _seed(n_titles: int, n_subscribers: int) -> None:
    """Migrate the scratch database, load titles, subscribers, history, precomputed lists and
    sessions; print each user's cookies (``sessionid=…; csrftoken=…``) as JSON on the last line."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from catalog.models import CanonicalTags, Tag, Title
    from recommendations.engine.packed import KINDS, pack_one
    from recommendations.models import RecommendationList, Subscriber, ViewingEvent

    call_command("migrate", verbosity=0)
    rnd = random.Random(42)
    Title.objects.bulk_create(
        [
            Title(
                external_id=f"b{i}",
                title=f"Bench Picture {i}",
                year=1950 + i % 70,
                runtime_minutes=80 + i % 70,
                synopsis="A bench title. " * 8,
            )
            for i in range(n_titles)
        ],
        batch_size=2000,
    )
    titles = list(Title.objects.order_by("id").values_list("id", flat=True))
    CanonicalTags.objects.bulk_create(
        [
            CanonicalTags(
                title_id=pk,
                values={
                    "genre": sorted(rnd.sample(GENRES, 2)),
                    "tone": sorted(rnd.sample(TONES, 2)),
                    "violence": rnd.randint(0, 5),
                    "sex": rnd.randint(0, 5),
                    "language": rnd.randint(0, 5),
                    "based-on-book": rnd.random() < 0.3,
                },
            )
            for pk in titles
        ],
        batch_size=2000,
    )
    user_model = get_user_model()
    password = make_password("bench-password")  # one hash for all: PBKDF2 per user is the slow part
    user_model.objects.bulk_create(
        [user_model(username=f"bench{i}", password=password) for i in range(n_subscribers)],
        batch_size=2000,
    )
    users = list(user_model.objects.filter(username__startswith="bench").order_by("id"))
    group, _ = Group.objects.get_or_create(name="subscriber")
    through = user_model.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=2000
    )
    Subscriber.objects.bulk_create(
        [
            Subscriber(user=u, max_levels={"violence": 4} if i % 3 == 0 else {})
            for i, u in enumerate(users)
        ]
    )
    subscribers = list(Subscriber.objects.order_by("id"))
    genre_codes = list(Tag.objects.filter(dimension__slug="genre").values_list("pk", flat=True))
    tone_codes = list(Tag.objects.filter(dimension__slug="tone").values_list("pk", flat=True))
    now = timezone.now()
    events, lists = [], []
    for sub in subscribers:
        for j, pk in enumerate(rnd.sample(titles, 30)):
            events.append(
                ViewingEvent(
                    subscriber=sub,
                    title_id=pk,
                    event="liked" if j % 3 else "watched",
                    timestamp=now - timezone.timedelta(minutes=j),
                )
            )
        picks = rnd.sample(titles, 50)
        watched = [e.title_id for e in events[-30:]]
        # The stored shape the worker writes: codes, worded per request language when read.
        items = [
            picks,
            [10_000 - k * 150 for k in range(50)],
            [genre_codes[k % len(genre_codes)] for k in range(50)],
            [tone_codes[k % len(tone_codes)] for k in range(50)],
            [tone_codes[(k + 1) % len(tone_codes)] if k % 2 else 0 for k in range(50)],
            [watched[k % 30] if k % 4 else 0 for k in range(50)],
        ]
        codes = [(k % 10) + 1 if k % 3 else 20 for k in range(50)]
        rows = [
            [KINDS.index(kind), g, a, h, *range(r * 10, r * 10 + 10)]
            for r, (kind, g, a, h) in enumerate(
                [
                    ("top", 0, 0, 0),
                    ("micro", genre_codes[0], tone_codes[0], 0),
                    ("micro", genre_codes[1], tone_codes[1], 0),
                    ("genre", genre_codes[2], 0, 0),
                    ("because", 0, 0, watched[1]),
                ]
            )
        ]
        lists.append(
            RecommendationList(
                subscriber=sub,
                packed=pack_one(items, codes, rows),
                generated_at=now,
                tags_version=1,
            )
        )
    ViewingEvent.objects.bulk_create(events, batch_size=5000)
    RecommendationList.objects.bulk_create(lists, batch_size=1000)
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for user in users:
        session = session_store()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        # A browser's cookie jar for the site: the session and a CSRF cookie kept across visits
        # (without it every run's first page would mint a new token and miss the page cache).
        keys.append(f"sessionid={session.session_key}; csrftoken={get_random_string(32)}")
    print(json.dumps(keys))


def _scratch_database(workdir: Path) -> tuple[str, str]:
    """(URL of the scratch database, what it is) — PostgreSQL beside DATABASE_URL, else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urlparse(url)
        name = f"{parsed.path.lstrip('/') or 'tagline'}_bench"
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return urlunparse(parsed._replace(path=f"/{name}")), f"PostgreSQL ({name})"
    return f"sqlite:///{workdir / 'bench.sqlite3'}", "SQLite file"


def _drop_database(url: str) -> None:
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urlparse(url)
        with psycopg.connect(
            urlunparse(parsed._replace(path="/postgres")), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


# --- load ---------------------------------------------------------------------------------

WRK = shutil.which("wrk")
WRK_SCRIPT = ROOT / "bench" / "wrk_users.lua"


def _load(
    path: str,
    sessions: list[str],
    *,
    seconds: float,
    think: float,
    users: int = USERS,
    language: str = "en",
) -> dict[str, float]:
    """``users`` signed-in users for ``seconds``, each on its own keep-alive connection with its
    own session, waiting ``think`` seconds (x0.5-1.5) between requests. wrk measures when it is
    installed (C, one thread per user: its timings are the server's, not the client's); else
    Python threads, whose latencies also hold the client's own GIL contention."""
    if WRK:
        return _load_wrk(
            path, sessions, seconds=seconds, think=think, users=users, language=language
        )
    return _load_threads(
        path, sessions, seconds=seconds, think=think, users=users, language=language
    )


def _load_wrk(
    path: str, sessions: list[str], *, seconds: float, think: float, users: int, language: str
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as keys:
        keys.write("\n".join(sessions))
        keys.flush()
        done = subprocess.run(
            [
                str(WRK),
                f"-t{users}",
                f"-c{users}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                str(WRK_SCRIPT),
                f"http://127.0.0.1:{PORT}",
                "--",
                path,
                str(round(think * 1000)),
                language,
                keys.name,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "n": r["requests"],
        "p50": r["p50"],
        "p95": r["p95"],
        "p99": r["p99"],
        "rps": r["requests"] / r["seconds"],
        "errors": r["non2xx"] + r["socket_errors"],
    }


def _load_threads(
    path: str, sessions: list[str], *, seconds: float, think: float, users: int, language: str
) -> dict[str, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(users)
    deadline = [0.0]

    def user(i: int) -> None:
        rnd = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        jar = (pair.partition("=") for pair in sessions[i % len(sessions)].split("; "))
        cookies = {name: value for name, _eq, value in jar}
        headers = {"Accept-Language": language}
        mine: list[float] = []
        if start_gate.wait() == 0:
            deadline[0] = time.perf_counter() + seconds
        start_gate.wait()
        while time.perf_counter() < deadline[0]:
            t0 = time.perf_counter()
            try:
                cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
                conn.request("GET", path, headers={**headers, "Cookie": cookie})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                # Like a browser: keep the cookies the site sets (the CSRF cookie).
                for header in response.headers.get_all("Set-Cookie") or []:
                    name, _, rest = header.partition("=")
                    cookies[name.strip()] = rest.split(";", 1)[0]
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
            if think:
                time.sleep(think * rnd.uniform(0.5, 1.5))
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return {
        "n": len(latencies),
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
        "p99": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
        "rps": len(latencies) / wall,
        "errors": errors[0],
    }


def _settled_size(log: Path) -> int:
    """The log's size once it has stopped growing for half a second (at most 30 s)."""
    size, deadline = -1, time.monotonic() + 30
    while time.monotonic() < deadline:
        now = log.stat().st_size
        if now == size:
            return size
        size = now
        time.sleep(0.5)
    return size


def _server_p95(access_log: Path, offset: int) -> float:
    """p95 (ms) of the server's own time per request (gunicorn's %(D)s, from the request read
    to the response written) logged after byte ``offset``: no client, no accept queue."""
    with access_log.open() as log:
        log.seek(offset)
        micros = sorted(int(line) for line in log if line.strip().isdigit())
    return micros[int(0.95 * (len(micros) - 1))] / 1000 if micros else float("nan")


def _wait_until_up(proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited; see its output above")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def run(quick: bool) -> None:
    n_titles, n_subscribers = (800, 60) if quick else (5000, 400)
    # Seconds per scenario: saturating, baseline (slow) and browsing (think-time) runs.
    busy, slow, browsing, think = (3.0, 4.0, 8.0, 1.0) if quick else (10.0, 15.0, 30.0, 1.0)
    workdir = Path(tempfile.mkdtemp(prefix="bench-subscriber-"))
    db_url, db_label = _scratch_database(workdir)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "bench.subscriber_site",
        "SECRET_KEY": "bench-subscriber-not-secret",
        "DEBUG": "false",
        "PYTHONPATH": str(ROOT),
    }
    python = sys.executable
    print(
        f"database: {db_label}; {n_titles} titles, {n_subscribers} subscribers with 50-title lists; "
        f"{USERS} concurrent users",
        flush=True,
    )
    seeded = subprocess.run(
        [
            python,
            "-c",
            f"from bench.bench_subscriber import _seed; _seed({n_titles}, {n_subscribers})",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode:
        print(seeded.stderr[-3000:], file=sys.stderr)
        raise RuntimeError("seeding the benchmark database failed")
    sessions = json.loads(seeded.stdout.strip().splitlines()[-1])
    probe = socket.socket()
    try:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is busy; set BENCH_SUBSCRIBER_PORT")
    finally:
        probe.close()
    workers = max(2, (os.cpu_count() or 1) * 2)
    access_log = workdir / "access.log"
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(D)s",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up(server)
        print(f"gunicorn: {workers} workers x 4 threads on 127.0.0.1:{PORT}", flush=True)
        for path in (
            "/for-you/",
            "/api/v1/me/recommendations/",
            "/bench/baseline/home/",
            "/bench/baseline/api/",
            "/bench/home-uncached/",
        ):
            _load(path, sessions, seconds=2, think=0)  # warm connections, templates, caches
        print(
            f"load generator: {'wrk' if WRK else 'Python threads (install wrk for exact timings)'}"
        )
        # (label, path, seconds, think, p95 target in ms or None, concurrent users)
        cases: list[tuple[str, str, float, float, int | None, int]] = [
            ("1 user: home, precomputed list", "/for-you/", busy, 0.0, None, 1),
            ("1 user: home, computed in request", "/bench/baseline/home/", slow, 0.0, None, 1),
            ("1 user: API, precomputed list", "/api/v1/me/recommendations/", busy, 0.0, None, 1),
            ("1 user: API, computed in request", "/bench/baseline/api/", slow, 0.0, None, 1),
            ("home, precomputed list", "/for-you/", busy, 0.0, 50, USERS),
            ("home, precomputed, rows cache off", "/bench/home-uncached/", busy, 0.0, None, USERS),
            (
                "home, computed in request (baseline)",
                "/bench/baseline/home/",
                slow,
                0.0,
                None,
                USERS,
            ),
            ("API, precomputed list", "/api/v1/me/recommendations/", busy, 0.0, 20, USERS),
            ("API, computed in request (baseline)", "/bench/baseline/api/", slow, 0.0, None, USERS),
            ("home, precomputed, users think ~1 s", "/for-you/", browsing, think, 50, USERS),
            (
                "API, precomputed, users think ~1 s",
                "/api/v1/me/recommendations/",
                browsing,
                think,
                20,
                USERS,
            ),
        ]
        print(
            f"\n{'scenario':<40} {'users':>5} {'reqs':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'req/s':>8} {'err':>4} {'server p95':>10} {'load':>5}  target"
        )
        for label, path, seconds, wait, target, users in cases:
            offset = _settled_size(access_log)  # the last run's stragglers are logged first
            r = _load(path, sessions, seconds=seconds, think=wait, users=users)
            server_p95 = _server_p95(access_log, offset)
            verdict = (
                ""
                if target is None
                else (f"p95<{target}: " + ("met" if r["p95"] < target else "NOT met"))
            )
            print(
                f"{label:<40} {users:>5} {r['n']:>6.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                f"{r['p99']:>8.1f} {r['rps']:>8.1f} {r['errors']:>4.0f} {server_p95:>10.1f} {os.getloadavg()[0]:>5.1f}  {verdict}",
                flush=True,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        _drop_database(db_url)
        shutil.rmtree(workdir, ignore_errors=True)
