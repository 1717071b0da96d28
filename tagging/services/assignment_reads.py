"""The reads of the "next title" claim as single SQL statements.

Twenty taggers call ``POST /assignments/next/`` in a loop; through the ORM its reads (the
caller's queue, the pool candidates, the claimed assignment with its title) cost ~8 ms of CPU
on the 2-core host, nearly all of it building and compiling querysets. The same statements
written once cost a tenth of that. ``queue_first`` keeps the semantics of
``assignment_queue().first()``; the pool reads go through each title's ``TitleCoverage`` row,
and on PostgreSQL the claim, its conditional INSERT and the read-back are one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from accounts.db_rows import RowReader
from catalog.models import Title
from config.db import prepared_cursor

from ..models import Assignment, Tagging, TitleCoverage

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
    with prepared_cursor() as cursor:
        cursor.execute(_assignment_sql(connection.vendor, where, order), params)
        row = cursor.fetchone()
    return None if row is None else _assignment(row, tagger)


def _assignment(row: Sequence[Any], tagger: User) -> Assignment:
    """An assignment with its title and tagging (or None) from an ``_assignment_sql`` row."""
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


def _pool_where() -> str:
    """Titles short of the overlap that the caller does not have (series excluded: they are
    tagged through their episodes); ``c`` is the title's coverage row."""
    return (
        "c.taggers < %s AND t.kind <> %s AND NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {Assignment._meta.db_table} x "
        "WHERE x.title_id = c.title_id AND x.tagger_id = %s)"
    )


#: Started titles first, fullest first (pairs complete, so agreement can be measured early),
#: then untouched ones in catalogue order: the order of the ``coverage_pool_order`` index.
_POOL_ORDER = "c.taggers DESC, c.title_id"


@cache
def _candidates_sql(vendor: str) -> str:
    return (
        f"SELECT c.taggers, c.title_id FROM {TitleCoverage._meta.db_table} c "  # noqa: S608
        f"JOIN {Title._meta.db_table} t ON t.id = c.title_id "
        f"WHERE {_pool_where()} ORDER BY {_POOL_ORDER} LIMIT %s"
    )


def _pool_params(tagger: User, overlap: int) -> list[Any]:
    return [overlap, Title.Kind.SERIES.value, tagger.pk]


def pool_candidates(*, tagger: User, overlap: int, limit: int) -> tuple[list[int], list[int]]:
    """Up to ``limit`` ids of titles still short of ``overlap`` taggers that ``tagger`` does not
    already have, as (titles already started, untouched titles in catalogue order). A plain
    read through the coverage index: the claim decides; this only proposes."""
    with prepared_cursor() as cursor:
        cursor.execute(_candidates_sql(connection.vendor), [*_pool_params(tagger, overlap), limit])
        rows = cursor.fetchall()
    started = [int(r[1]) for r in rows if r[0] > 0]
    untouched = [int(r[1]) for r in rows if r[0] == 0]
    return started, untouched


@cache
def _claim_sql(*, skip_locked: bool) -> str:
    # PostgreSQL, one statement: lock the first pool title's coverage row that nobody else
    # holds (SKIP LOCKED: concurrent claimers spread over the pool instead of queueing). Under
    # READ COMMITTED a row another claimer filled meanwhile is re-read at its latest version
    # and re-checked against ``taggers < overlap`` before it is locked, so the winner is exact.
    # The INSERT's trigger adds one to the row this statement holds; the caller's second tab
    # racing for the same title meets the unique pair and inserts nothing.
    table = Assignment._meta.db_table
    lock = "FOR UPDATE OF c SKIP LOCKED" if skip_locked else "FOR UPDATE OF c"
    return (
        f"WITH slot AS (SELECT c.title_id FROM {TitleCoverage._meta.db_table} c "  # noqa: S608
        f"JOIN {Title._meta.db_table} t ON t.id = c.title_id "
        f"WHERE {_pool_where()} ORDER BY {_POOL_ORDER} LIMIT 1 {lock}), "
        f"a AS (INSERT INTO {table} (title_id, tagger_id, status, source, priority, "
        "is_calibration, created_at, updated_at) "
        "SELECT title_id, %s, %s, %s, 0, false, %s, %s FROM slot "
        "ON CONFLICT (title_id, tagger_id) DO NOTHING RETURNING *) "
        f"SELECT {_ASSIGNMENT.columns()}, {_TITLE.columns()}, {_TAGGING.columns()} "
        f"FROM a JOIN {Title._meta.db_table} t ON t.id = a.title_id "
        f"LEFT JOIN {Tagging._meta.db_table} g ON false"
    )


def claim_first(*, tagger: User, overlap: int, wait: bool) -> Assignment | None:
    """PostgreSQL: claim the first pool title nobody else is claiming right now (``wait``:
    queue for a held one instead), returned with its title; None when every title short of
    the overlap was held or filled meanwhile — or there is none (``pool_candidates`` tells)."""
    now = timezone.now()
    params = [
        *_pool_params(tagger, overlap),
        tagger.pk,
        Assignment.Status.NEW.value,
        Assignment.Source.POOL.value,
        now,
        now,
    ]
    with prepared_cursor() as cursor:
        cursor.execute(_claim_sql(skip_locked=not wait), params)
        row = cursor.fetchone()
    return None if row is None else _assignment(row, tagger)
