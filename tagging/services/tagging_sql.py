"""The taggers' saves as plain SQL statements: read own tagging, insert it, the conditional
version update, the revision row, the assignment status.

Each is a single statement with the same meaning as the ORM call it replaced (a queryset
``update()``, ``objects.create()``, ``select_related().first()``); through the ORM, building and
compiling them was most of a save's CPU on the 2-core host. Values go through each field's
``get_db_prep_save``, so JSON and datetimes are stored exactly as the ORM stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Field, Model

from accounts.db_rows import RowReader
from config.db import prepared_cursor

from ..models import Assignment, Tagging, TaggingRevision

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_TAGGING = RowReader(Tagging, "g")
_ASSIGNMENT = RowReader(Assignment, "a")


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # a concrete column of the model, by name
    return field


def _prep(model: type[Model], name: str, value: Any) -> Any:
    return _field(model, name).get_db_prep_save(value, connection)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _own_sql(vendor: str) -> str:
    return (
        f"SELECT {_TAGGING.columns()}, {_ASSIGNMENT.columns()} "  # noqa: S608
        f"FROM {Tagging._meta.db_table} g "
        f"LEFT JOIN {Assignment._meta.db_table} a ON a.id = g.assignment_id "
        "WHERE g.id = %s AND g.tagger_id = %s"
    )


def own_tagging(*, user: User, pk: int) -> Tagging | None:
    """The user's tagging ``pk`` with its assignment (as ``select_related`` would), or None."""
    with prepared_cursor() as cursor:
        cursor.execute(_own_sql(connection.vendor), [pk, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    tagging = _TAGGING.read(row)
    tagging.tagger = user
    has_assignment = row[_TAGGING.width] is not None
    tagging.assignment = _ASSIGNMENT.read(row, _TAGGING.width) if has_assignment else None
    return tagging


@cache
def _assignment_of_sql(vendor: str) -> str:
    return (
        f"SELECT a.id, a.status, g.id, g.version FROM {Assignment._meta.db_table} a "  # noqa: S608
        f"LEFT JOIN {Tagging._meta.db_table} g ON g.assignment_id = a.id "
        "WHERE a.title_id = %s AND a.tagger_id = %s"
    )


def assignment_of(*, title_id: int, tagger: User) -> dict[str, Any] | None:
    """The tagger's assignment of the title and the tagging hanging from it, if any."""
    with prepared_cursor() as cursor:
        cursor.execute(_assignment_of_sql(connection.vendor), [title_id, tagger.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(("pk", "status", "tagging__pk", "tagging__version"), row, strict=True))


@cache
def _submitted_count_sql(vendor: str) -> str:
    return (
        f"SELECT COUNT(*) FROM {Tagging._meta.db_table} "  # noqa: S608
        "WHERE title_id = %s AND status = %s"
    )


def submitted_count(title_id: int) -> int:
    """How many taggings of the title are submitted."""
    with prepared_cursor() as cursor:
        cursor.execute(
            _submitted_count_sql(connection.vendor), [title_id, Tagging.Status.SUBMITTED.value]
        )
        return int(cursor.fetchone()[0])


def insert_tagging(tagging: Tagging) -> None:
    """INSERT the new tagging and set its id (``RETURNING``: SQLite ≥ 3.35, PostgreSQL)."""
    fields = [f for f in Tagging._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            f.pre_save(tagging, add=True)  # sets created_at / updated_at as save() would
    columns = ", ".join(_q(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(getattr(tagging, f.attname), connection) for f in fields]
    with prepared_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Tagging._meta.db_table} ({columns}) VALUES ({marks}) RETURNING id",  # noqa: S608
            params,
        )
        tagging.pk = cursor.fetchone()[0]
    tagging._state.adding = False
    tagging._state.db = connection.alias


def update_tagging_if(
    *, pk: int, version: int, statuses: tuple[str, ...], changes: Mapping[str, Any]
) -> bool:
    """``UPDATE … SET changes, version = version + 1 WHERE id, version and status match``:
    True when this call won (the optimistic lock)."""
    names = list(changes)
    sets = ", ".join(f"{_q(_field(Tagging, n).column)} = %s" for n in names)
    marks = ", ".join(["%s"] * len(statuses))
    params = [_prep(Tagging, n, changes[n]) for n in names]
    statuses = tuple(str(s) for s in statuses)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"UPDATE {Tagging._meta.db_table} SET {sets}, version = version + 1 "  # noqa: S608
            f"WHERE id = %s AND version = %s AND status IN ({marks})",
            [*params, pk, version, *statuses],
        )
        return cursor.rowcount == 1


def set_assignment_status(pk: int, status: str, now: Any, *, only_from: str | None = None) -> None:
    """The assignment follows its tagging (``only_from``: only when it is still in that status)."""
    sql = f"UPDATE {Assignment._meta.db_table} SET status = %s, updated_at = %s WHERE id = %s"  # noqa: S608
    params = [str(status), _prep(Assignment, "updated_at", now), pk]
    if only_from is not None:
        sql += " AND status = %s"
        params.append(str(only_from))
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)


def insert_revision(tagging: Tagging, *, saved_by: User | None, now: Any) -> None:
    """The history row of the version just written."""
    row = {
        "tagging_id": tagging.pk,
        "version": tagging.version,
        "status": tagging.status,
        "values": tagging.values,
        "evidence": tagging.evidence,
        "notes": tagging.notes,
        "saved_by_id": saved_by.pk if saved_by is not None else None,
        "saved_at": now,
    }
    fields = [_field(TaggingRevision, n.removesuffix("_id")) for n in row]
    columns = ", ".join(_q(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    params = [
        f.get_db_prep_save(value, connection) for f, value in zip(fields, row.values(), strict=True)
    ]
    with prepared_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TaggingRevision._meta.db_table} ({columns}) VALUES ({marks})",  # noqa: S608
            params,
        )


# --- PostgreSQL: a save and its follow-ups as one statement ------------------------------
#
# On PostgreSQL every statement is a round trip to another process, and under load each round
# trip waits for that process to be scheduled on the shared cores; a save as BEGIN, three
# statements and COMMIT was five of them. Data-modifying WITH clauses make the write, the
# assignment's status and the revision row one statement, which PostgreSQL runs atomically
# on its own (no BEGIN/COMMIT round trips). The revision copies the row the write returned,
# so it records exactly what was stored. SQLite has no data-modifying WITH: it keeps the
# transaction above (in-process, where a statement costs no round trip).


def single_statement_writes() -> bool:
    """True where a save and its follow-ups run as one statement (PostgreSQL)."""
    return connection.vendor == "postgresql"


_REVISION_COPY = ("id", "version", "status", "values", "evidence", "notes", "updated_at")


def _returning() -> str:
    return ", ".join(_q(n) if n == "values" else n for n in (*_REVISION_COPY, "assignment_id"))


@cache
def _then_sql(source: str, mark: bool, only_from: bool, select: str) -> str:
    """What follows ``WITH source AS (… RETURNING _REVISION_COPY, assignment_id)``: the
    assignment's status change (``mark``; ``only_from``: only from that status), the revision
    row copied from ``source``'s row, then ``SELECT select FROM source``. Built once per shape:
    the text is the same at every call, so PostgreSQL prepares it once."""
    sql = ""
    if mark:
        sql += (
            f", a AS (UPDATE {Assignment._meta.db_table} SET status = %s, updated_at = %s "  # noqa: S608
            f"WHERE id = (SELECT assignment_id FROM {source})"
            + (" AND status = %s)" if only_from else ")")
        )
    columns = ", ".join(
        _q(_field(TaggingRevision, n).column)
        for n in ("tagging", "version", "status", "values", "evidence", "notes", "saved_by")
    )
    revision = (
        f"INSERT INTO {TaggingRevision._meta.db_table} ({columns}, saved_at) "  # noqa: S608
        f"SELECT {source}.id, {source}.version, {source}.status, {source}.{_q('values')}, "
        f"{source}.evidence, {source}.notes, CAST(%s AS integer), {source}.updated_at "
        f"FROM {source}"
    )
    return f"{sql}, r AS ({revision}) SELECT {select} FROM {source}"  # noqa: S608


def _then_params(
    mark_assignment: tuple[str, str | None] | None, at: Any, saved_by: User | None
) -> list[Any]:
    """``_then_sql``'s parameters."""
    params: list[Any] = []
    if mark_assignment is not None:
        status, only_from = mark_assignment
        params += [str(status), _prep(Assignment, "updated_at", at)]
        if only_from is not None:
            params.append(str(only_from))
    params.append(saved_by.pk if saved_by is not None else None)
    return params


def _then(mark_assignment: tuple[str, str | None] | None, source: str, select: str) -> str:
    mark = mark_assignment is not None
    only_from = mark_assignment is not None and mark_assignment[1] is not None
    return _then_sql(source, mark, only_from, select)


@cache
def _insert_fields() -> tuple[Field[Any, Any], ...]:
    return tuple(f for f in Tagging._meta.concrete_fields if not f.primary_key)


@cache
def _insert_with_revision_sql(tail: str) -> str:
    fields = _insert_fields()
    columns = ", ".join(_q(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return (
        f"WITH g AS (INSERT INTO {Tagging._meta.db_table} ({columns}) "  # noqa: S608
        f"VALUES ({marks}) RETURNING {_returning()}){tail}"
    )


def insert_tagging_with_revision(
    tagging: Tagging, *, saved_by: User, mark_assignment: tuple[str, str] | None
) -> None:
    """``insert_tagging`` + ``set_assignment_status(…, only_from=…)`` (``mark_assignment`` is
    (status, only_from), or None) + ``insert_revision`` in one statement (PostgreSQL)."""
    fields = _insert_fields()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            f.pre_save(tagging, add=True)
    params = [f.get_db_prep_save(getattr(tagging, f.attname), connection) for f in fields]
    params += _then_params(mark_assignment, tagging.updated_at, saved_by)
    with prepared_cursor() as cursor:
        cursor.execute(_insert_with_revision_sql(_then(mark_assignment, "g", "id")), params)
        tagging.pk = cursor.fetchone()[0]
    tagging._state.adding = False
    tagging._state.db = connection.alias


@cache
def _update_with_revision_sql(names: tuple[str, ...], n_statuses: int, tail: str) -> str:
    sets = ", ".join(f"{_q(_field(Tagging, n).column)} = %s" for n in names)
    marks = ", ".join(["%s"] * n_statuses)
    return (
        f"WITH u AS (UPDATE {Tagging._meta.db_table} SET {sets}, version = version + 1 "  # noqa: S608
        f"WHERE id = %s AND version = %s AND status IN ({marks}) RETURNING {_returning()}){tail}"
    )


def update_tagging_with_revision(
    *,
    pk: int,
    version: int,
    statuses: tuple[str, ...],
    changes: Mapping[str, Any],
    saved_by: User,
    mark_assignment: tuple[str, str | None] | None,
) -> bool:
    """``update_tagging_if`` and, when it won, ``set_assignment_status`` (``mark_assignment``:
    (status, only_from), or None) + ``insert_revision``, in one statement (PostgreSQL). True
    when this call won."""
    names = tuple(changes)
    params = [
        *(_prep(Tagging, n, changes[n]) for n in names),
        pk,
        version,
        *(str(s) for s in statuses),
        *_then_params(mark_assignment, changes["updated_at"], saved_by),
    ]
    sql = _update_with_revision_sql(names, len(statuses), _then(mark_assignment, "u", "version"))
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None
