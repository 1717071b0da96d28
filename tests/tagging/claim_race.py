"""Many taggers pressing "Next title" at once, in real threads with their own DB connections.

Used in-process on PostgreSQL, and as a subprocess on a *file* SQLite database (the test
database of the SQLite suite is in memory, where threads cannot race like real web workers):
``python -m tests.tagging.claim_race`` with DATABASE_URL pointing at a file prints a JSON report.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter
from typing import Any


def race(*, taggers: list[Any], overlap: int, timeout: float = 60.0) -> dict[str, Any]:
    """Every tagger loops next -> mark submitted until there is no work; returns what happened."""
    from django.db import connection

    from tagging.models import Assignment
    from tagging.services.assignments import assignment_next

    barrier = threading.Barrier(len(taggers))
    errors: list[str] = []
    claims: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work(user: Any) -> None:
        try:
            barrier.wait(timeout=timeout)
            while True:
                assignment = assignment_next(tagger=user, overlap=overlap)
                if assignment is None:
                    break
                with lock:
                    claims.append((assignment.title_id, user.pk))
                Assignment.objects.filter(pk=assignment.pk).update(
                    status=Assignment.Status.SUBMITTED
                )
        except Exception as exc:  # every failure is part of the report
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(user,)) for user in taggers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    per_title = Counter(Assignment.objects.values_list("title_id", flat=True))
    pairs = Counter(Assignment.objects.values_list("title_id", "tagger_id"))
    return {
        "errors": errors,
        "claims": len(claims),
        "max_per_title": max(per_title.values(), default=0),
        "titles_over_overlap": sum(1 for n in per_title.values() if n > overlap),
        "duplicate_pairs": sum(1 for n in pairs.values() if n > 1),
        "per_title": sorted(per_title.values()),
    }


def main() -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from accounts.roles import Role
    from accounts.services import user_create
    from catalog.models import Title

    n_taggers, n_titles, overlap = (int(x) for x in sys.argv[1:4])
    call_command("migrate", verbosity=0)
    taggers = [
        user_create(username=f"racer{i}", role=Role.TAGGER, password=None)[0]
        for i in range(n_taggers)
    ]
    Title.objects.bulk_create(
        Title(external_id=f"race{i}", title=f"Race {i}") for i in range(n_titles)
    )
    print(json.dumps(race(taggers=taggers, overlap=overlap)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
