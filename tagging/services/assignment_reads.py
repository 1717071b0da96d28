"""The reads of the "next title" claim as single SQL statements.

Twenty taggers call ``POST /assignments/next/`` in a loop; through the ORM its reads (the
caller's queue, the pool candidates, the claimed assignment with its title) cost ~8 ms of CPU
on the 2-core host, nearly all of it building and compiling querysets. The same statements
written once cost a tenth of that. The semantics are those of the ORM versions they replaced:
``assignment_queue`` (its ``first()``) and the two pool reads.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection

from accounts.db_rows import RowReader
from catalog.models import Title

from ..models import Assignment, Tagging

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_ASSIGNMENT = RowReader(Assignment, "a")
_TITLE = RowReader(Title, "t")
_TAGGING = RowReader(Tagging, "g", fields=["id", "status", "version"])


@cache
def _assignment_sql(vendor: str, where: str, order: str) -> str:
    return (
        f"SELECT {_ASSIGNMENT.columns()}, {_TITLE.columns()}, {_TAGGING.columns()} "  # noqa: S608
        f"FROM {Assignment._meta.db_table} a JOIN {Title._meta.db_table} t ON t.id = a.title_id "
        f"LEFT JOIN {Tagging._meta.db_table} g ON g.assignment_id = a.id "
        f"WHERE {where} ORDER BY {order} LIMIT 1"
    )


def _one(where: str, order: str, params: list[Any], tagger: User) -> Assignment | None:
    with connection.cursor() as cursor:
        cursor.execute(_assignment_sql(connection.vendor, where, order), params)
        row = cursor.fetchone()
    if row is None:
        return None
    assignment = _ASSIGNMENT.read(row)
    assignment.title = _TITLE.read(row, _ASSIGNMENT.width)
    assignment.tagger = tagger
    start = _ASSIGNMENT.width + _TITLE.width
    # Cache the reverse one-to-one (a tagging or None) as select_related would.
    tagging = _TAGGING.read(row, start) if row[start] is not None else None
    Assignment.tagging.related.set_cached_value(assignment, tagging)  # type: ignore[attr-defined]
    return assignment


def queue_first(*, tagger: User, statuses: tuple[str, ...]) -> Assignment | None:
    """The first of the tagger's open assignments: highest priority, earliest due date (none
    last), oldest — the order of ``assignment_queue``."""
    marks = ", ".join(["%s"] * len(statuses))
    return _one(
        f"a.tagger_id = %s AND a.status IN ({marks})",
        "a.priority DESC, (a.due_date IS NULL) ASC, a.due_date ASC, a.id ASC",
        [tagger.pk, *statuses],
        tagger,
    )


def claimed(*, tagger: User, title_id: int) -> Assignment:
    """The assignment the claim just created, with its title."""
    assignment = _one("a.title_id = %s AND a.tagger_id = %s", "a.id", [title_id, tagger.pk], tagger)
    if assignment is None:
        raise Assignment.DoesNotExist
    return assignment


@cache
def _candidates_sql(vendor: str) -> str:
    table = Assignment._meta.db_table
    titles = Title._meta.db_table
    # Started titles (short of the overlap, not the caller's) fullest first, then untouched
    # titles in catalogue order (series excluded: they are tagged through their episodes).
    return (
        "SELECT 0, s.title_id FROM ("  # noqa: S608
        f"SELECT title_id, COUNT(*) AS n FROM {table} GROUP BY title_id "
        "HAVING COUNT(*) < %s AND SUM(CASE WHEN tagger_id = %s THEN 1 ELSE 0 END) = 0 "
        "ORDER BY n DESC, title_id LIMIT %s) s "
        "UNION ALL SELECT 1, u.id FROM ("
        f"SELECT t.id FROM {titles} t WHERE t.kind <> %s AND NOT EXISTS "
        f"(SELECT 1 FROM {table} x WHERE x.title_id = t.id) ORDER BY t.id LIMIT %s) u"
    )


def pool_candidates(*, tagger: User, overlap: int, limit: int) -> tuple[list[int], list[int]]:
    """Up to ``limit`` ids of titles still short of ``overlap`` taggers that ``tagger`` does not
    already have, as (titles already started, untouched titles in catalogue order): started ones
    go first so pairs complete and agreement can be measured early. A plain read, outside any
    transaction: the conditional write decides; this only proposes."""
    with connection.cursor() as cursor:
        cursor.execute(
            _candidates_sql(connection.vendor),
            [overlap, tagger.pk, limit, Title.Kind.SERIES.value, limit],
        )
        rows = cursor.fetchall()
    started = [int(r[1]) for r in rows if r[0] == 0]
    untouched = [int(r[1]) for r in rows if r[0] == 1][: limit - len(started)]
    return started, untouched
