"""Per-call profile of the taggers' loop (next -> draft -> submit), in-process: the SQL each call
runs (CaptureQueriesContext) and, with --profile, a pyinstrument report of N loops. On PostgreSQL it also reports the CPU the database backend
process serving this connection spent per call (from /proc, so only when the server is local
and readable), which the gunicorn-side figures of ``bench_tagging`` do not see.

    python -m bench.tagging_profile [--loops 200] [--profile] [--database-url URL]

Without pyinstrument, --profile uses cProfile timed in CPU (waits on the database excluded),
sorted by PROFILE_SORT (default tottime; cumtime groups by caller), PROFILE_LINES rows.

Seeds a scratch database (SQLite file under a temporary directory unless --database-url) the
same way ``bench_tagging`` does, with the same settings module, so the figures are the
server's own per-request work without HTTP or queueing."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loops", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sql", action="store_true", help="print every query of one loop")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tagging-profile-"))
    os.environ.update(
        {
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'db.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "bench.tagging_settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-not-secret",
            "TAGLINE_VAR_DIR": str(tmp),
            "TAGGING_OVERLAP": "2",
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(ROOT))
    import io
    import json
    from contextlib import redirect_stdout

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import bench_tagging

    out = io.StringIO()
    with redirect_stdout(out):
        bench_tagging._seed(max(args.loops * 2, 500))
    tokens = json.loads(out.getvalue().strip().splitlines()[-1])
    clients = [
        Client(HTTP_AUTHORIZATION=f"Token {t}", content_type="application/json")
        for t in tokens[: bench_tagging.TAGGERS]
    ]

    backend_stat: Path | None = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    backend_cpu: dict[str, list[float]] = {}

    def backend_seconds() -> float:
        if backend_stat is None:
            return 0.0
        try:
            fields = backend_stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def loop(client: Client, sink: dict[str, list[tuple[float, int, list[str]]]]) -> None:
        steps = []
        with CaptureQueriesContext(connection) as q:
            t = time.process_time()
            b = backend_seconds()
            r = client.post("/api/v1/assignments/next/")
            steps.append(("next", time.process_time() - t, r, list(q.captured_queries)))
            backend_cpu.setdefault("next", []).append(backend_seconds() - b)
        data = r.json()
        with CaptureQueriesContext(connection) as q:
            t = time.process_time()
            b = backend_seconds()
            r = client.post(
                "/api/v1/taggings/",
                {"title": data["title"]["id"], "values": bench_tagging.COMPLETE, "notes": "b"},
                content_type="application/json",
            )
            steps.append(("draft", time.process_time() - t, r, list(q.captured_queries)))
            backend_cpu.setdefault("draft", []).append(backend_seconds() - b)
        tagging = r.json()
        with CaptureQueriesContext(connection) as q:
            t = time.process_time()
            b = backend_seconds()
            r = client.post(
                f"/api/v1/taggings/{tagging['id']}/submit/",
                {"version": tagging["version"]},
                content_type="application/json",
            )
            steps.append(("submit", time.process_time() - t, r, list(q.captured_queries)))
            backend_cpu.setdefault("submit", []).append(backend_seconds() - b)
        for name, elapsed, response, queries in steps:
            assert response.status_code in (200, 201), (
                name,
                response.status_code,
                response.content,
            )
            sink.setdefault(name, []).append((elapsed, len(queries), [x["sql"] for x in queries]))

    warm: dict[str, list[tuple[float, int, list[str]]]] = {}
    for client in clients:
        loop(client, warm)
    sink: dict[str, list[tuple[float, int, list[str]]]] = {}
    profiler: Any = None
    stats: Any = None
    if args.profile:
        try:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        except ImportError:  # not installed: the standard library's deterministic profiler
            import cProfile

            stats = cProfile.Profile(time.process_time)  # CPU, not waits on the database
            stats.enable()
    backend_cpu.clear()
    for i in range(args.loops):
        loop(clients[i % len(clients)], sink)
    if profiler is not None:
        profiler.stop()
    if stats is not None:
        stats.disable()
    for name, rows in sink.items():
        times = sorted(r[0] for r in rows)
        print(
            f"{name:<7} p50 {times[len(times) // 2] * 1000:6.2f} ms  "
            f"p95 {times[int(len(times) * 0.95)] * 1000:6.2f} ms  queries {rows[-1][1]}"
            + (
                f"  database backend CPU {sum(backend_cpu[name]) / len(rows) * 1000:5.2f} ms/call"
                if backend_stat is not None
                else ""
            )
        )
        if args.sql:
            for sql in rows[-1][2]:
                print("   ", sql[:300])
    if profiler is not None:
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    if stats is not None:
        import pstats

        pstats.Stats(stats).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROFILE_LINES", "40"))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
