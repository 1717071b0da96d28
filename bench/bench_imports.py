"""Import speed: ``import_catalog`` at 100,000 titles and ``import_history`` at 1,000,000
events, each against a naive row-by-row ORM baseline measured in the same run on a sample.

Runs in a throw-away database of the configured backend (``DATABASE_URL``: a temporary SQLite
file by default, ``test_<name>`` on PostgreSQL), migrated like a fresh install, so the default
codebook exists and nothing touches your data. ``--quick`` shrinks the sizes.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction

GENRES = [
    "Action",
    "Adventure",
    "Animation",
    "Children",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]
EVENTS = ["rated"] * 6 + ["watched"] * 2 + ["liked", "not_interested"]


def run(quick: bool) -> None:
    titles_n, events_n = (5_000, 50_000) if quick else (100_000, 1_000_000)
    sample_titles, sample_events = (300, 1_000) if quick else (2_000, 5_000)
    with (
        tempfile.TemporaryDirectory(prefix="tagline-bench-") as tmp,
        _scratch_database(Path(tmp)) as where,
    ):
        from catalog.imports import catalog_import
        from recommendations.services.history import history_import

        folder = Path(tmp)
        print(f"database: {where} (a throw-away copy, migrated)", flush=True)
        titles_csv = _titles_file(folder / "titles.csv", titles_n, synopsis="first")
        changed_csv = _titles_file(folder / "titles2.csv", titles_n, synopsis="second")
        history_csv = _history_file(folder / "history.csv", events_n, titles_n)
        results: list[tuple[str, int, float, float, float | None]] = []

        def step(
            name: str, count: int, action: Callable[[], Any], baseline: float | None = None
        ) -> None:
            wall, cpu = _timed(action)
            results.append((name, count, wall, cpu, baseline))
            print(f"  {name}: {wall:.1f} s", flush=True)

        rate = _naive_catalog_rate(sample_titles)
        step(
            "import_catalog, new titles",
            titles_n,
            lambda: catalog_import(path=titles_csv, progress=False),
            rate,
        )
        step(
            "import_catalog, same file again",
            titles_n,
            lambda: catalog_import(path=titles_csv, progress=False),
        )
        step(
            "import_catalog, all synopses changed",
            titles_n,
            lambda: catalog_import(path=changed_csv, progress=False),
        )
        results.append(
            (
                "  baseline: save() + canonical_tags_set() per row",
                sample_titles,
                sample_titles / rate,
                0.0,
                None,
            )
        )

        rate = _naive_history_rate(sample_events)
        step(
            "import_history, new events",
            events_n,
            lambda: history_import(path=history_csv, progress=False),
            rate,
        )
        step(
            "import_history, same file again",
            events_n,
            lambda: history_import(path=history_csv, progress=False),
        )
        results.append(
            ("  baseline: get_or_create() per row", sample_events, sample_events / rate, 0.0, None)
        )

        width = max(len(name) for name, *_ in results)
        print(
            f"\n{'step':<{width}}  {'rows':>9}  {'wall s':>7}  {'cpu s':>6}  {'rows/s':>9}  vs baseline"
        )
        for name, count, wall, cpu, base in results:
            per_second = count / wall if wall else float("inf")
            speedup = f"{per_second / base:9.0f}x" if base else ""
            cpu_text = f"{cpu:6.1f}" if cpu else "     -"
            print(
                f"{name:<{width}}  {count:>9,}  {wall:>7.2f}  {cpu_text}  {per_second:>9,.0f}  {speedup}"
            )
        print(
            "(baselines: measured on a sample in the same run and database; cpu s = this process"
            " plus, on PostgreSQL, its server backend; wall time includes other load on the machine)"
        )


def _database_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend when the server runs on this machine
    (read from /proc), else 0: with it, the CPU column stays meaningful on a busy machine."""
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _timed(action: Callable[[], Any]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process plus, on PostgreSQL, its backend)."""
    connection.ensure_connection()
    database = _database_cpu()
    started, cpu = time.perf_counter(), time.process_time() + database
    action()
    wall = time.perf_counter() - started
    return wall, time.process_time() + _database_cpu() - cpu


class _scratch_database:  # noqa: N801 - used as a context manager, reads like one
    """Create and migrate a test database of the configured backend; drop it afterwards."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.old_name = ""

    def __enter__(self) -> str:
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            # A real file, not the in-memory test default: that is what the embedded mode runs on.
            settings_dict.setdefault("TEST", {})["NAME"] = str(self.folder / "bench.sqlite3")
        self.old_name = settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        return f"{connection.vendor} {connection.settings_dict['NAME']}"

    def __exit__(self, *exc: object) -> None:
        connection.creation.destroy_test_db(self.old_name, verbosity=0)


def _titles_file(path: Path, count: int, *, synopsis: str) -> Path:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        out.write("external_id,title,year,kind,runtime_minutes,synopsis,genres\n")
        for i in range(count):
            genres = "|".join(rng.sample(GENRES, rng.randint(1, 3)))
            out.write(
                f"b-{i},Bench title {i},{1930 + i % 90},movie,{70 + i % 90},The {synopsis} synopsis of {i},{genres}\n"
            )
    return path


def _history_file(path: Path, count: int, titles: int) -> Path:
    """About 100 events per subscriber over the first fifth of the catalogue."""
    rng = random.Random(11)
    subscribers = max(1, count // 100)
    pool = max(1, titles // 5)
    with path.open("w", encoding="utf-8") as out:
        out.write("subscriber,external_id,event,rating,timestamp\n")
        for i in range(count):
            event = rng.choice(EVENTS)
            rating = f"{rng.randint(1, 10) / 2:g}" if event == "rated" else ""
            out.write(
                f"bench{i % subscribers},b-{rng.randrange(pool)},{event},{rating},{1_400_000_000 + i * 7}\n"
            )
    return path


def _naive_catalog_rate(count: int) -> float:
    """Rows per second of the obvious loop: one save and one service call per row."""
    from catalog.models import CanonicalTags, Title
    from catalog.services import canonical_tags_set
    from catalog.values import Codebook

    rng = random.Random(3)
    codebook = Codebook.load()
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(count):
            title, _ = Title.objects.update_or_create(
                external_id=f"naive-{i}",
                defaults={
                    "title": f"Naive {i}",
                    "year": 2000,
                    "kind": "movie",
                    "runtime_minutes": 90,
                },
            )
            genres = sorted({g.lower() for g in rng.sample(GENRES, 2)})
            canonical_tags_set(
                title=title,
                values={"genre": genres},
                source=CanonicalTags.Source.IMPORTED,
                replace=False,
                codebook=codebook,
            )
    return count / (time.perf_counter() - started)


def _naive_history_rate(count: int) -> float:
    """Rows per second of the obvious loop: get_or_create per account and per event."""
    from django.contrib.auth import get_user_model

    from catalog.models import Title
    from recommendations.models import Subscriber, ViewingEvent

    rng = random.Random(5)
    title_ids = list(
        Title.objects.filter(external_id__startswith="b-").values_list("id", flat=True)[:2000]
    )
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(count):
            user, _ = get_user_model().objects.get_or_create(username=f"naive{i % 50}")
            subscriber, _ = Subscriber.objects.get_or_create(user=user)
            ViewingEvent.objects.get_or_create(
                subscriber=subscriber,
                title_id=rng.choice(title_ids),
                event="rated",
                timestamp=datetime.fromtimestamp(1_300_000_000 + i, tz=UTC),
                defaults={"rating": Decimal("3.5")},
            )
    return count / (time.perf_counter() - started)
