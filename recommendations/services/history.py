"""Viewing-history import (``import_history``): subscriber events from a CSV file, in bulk.

Columns ``subscriber,external_id,event,rating,timestamp``. ``subscriber`` is a username; a
name not seen before becomes a subscriber account without a usable password. The whole file
is validated before anything is written; then accounts, events and one outbox row per
subscriber whose history changed are written in one transaction. Re-importing a file is a
no-op: the unique constraint on ViewingEvent drops rows already stored.

Sizes: a million events are kept as compact arrays (about 40 bytes a row), not objects. On
PostgreSQL they are streamed with COPY into a temporary table and inserted with one
``INSERT … ON CONFLICT DO NOTHING``; elsewhere (SQLite) rows already stored are filtered out
and the rest are inserted with one prepared statement (``executemany``, ignoring conflicts).
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection

from accounts.roles import Role
from catalog.imports import Errors, ImportRejected, csv_open, progress_bar
from catalog.imports.bulk import rows_insert
from catalog.imports.csvfile import import_transaction
from catalog.models import OutboxEvent, Title
from catalog.outbox import outbox_record

from ..models import Subscriber, ViewingEvent

REQUIRED = ("subscriber", "external_id", "event", "timestamp")
EVENTS: tuple[str, ...] = tuple(ViewingEvent.Event.values)
EVENT_CODES = {name: code for code, name in enumerate(EVENTS)}
RATED = EVENT_CODES[ViewingEvent.Event.RATED]
NO_RATING = -1
IN_CHUNK = 900
WRITE_BATCH = 5000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_US = int((datetime(1900, 1, 1, tzinfo=UTC) - EPOCH).total_seconds()) * 1_000_000
MAX_US = int((datetime(2100, 1, 1, tzinfo=UTC) - EPOCH).total_seconds()) * 1_000_000
USERNAME = re.compile(r"^[\w.@+-]{1,150}\Z")  # Django's UnicodeUsernameValidator, with its length

MISSING_SUBSCRIBER = "missing subscriber"
BAD_SUBSCRIBER = "bad subscriber “%(value)s”: a username has at most 150 letters, digits and @.+-_"
NOT_A_SUBSCRIBER = "“%(value)s” is an existing account without the subscriber role"
MISSING_EXTERNAL_ID = "missing external_id"
UNKNOWN_TITLE = "unknown external_id “%(value)s”"
BAD_EVENT = "bad event “%(value)s”: expected one of %(choices)s"
BAD_RATING = "bad rating “%(value)s”: expected 0.5 to 5 with at most one decimal"
RATING_REQUIRED = "a rated event needs a rating"
BAD_TIMESTAMP = "bad timestamp “%(value)s”: expected ISO 8601 or Unix seconds (years 1900-2099)"


@dataclass
class HistoryImportResult:
    rows: int = 0
    inserted: int = 0
    already_present: int = 0
    subscribers: int = 0
    subscribers_created: int = 0
    subscribers_changed: int = 0


@dataclass
class _Parsed:
    """The file as parallel arrays: one entry per row (names and ids by index)."""

    names: list[str]
    external_ids: list[str]
    line: array[int]
    subscriber: array[int]
    title: array[int]
    event: array[int]
    rating: array[int]  # tenths of a star, NO_RATING when empty
    timestamp: array[int]  # microseconds since the Unix epoch, UTC
    #: (line, external-id index) of rows rejected for another reason, so that an unknown title
    #: on those lines is reported too.
    other_rows: list[tuple[int, int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.line)


def history_import(*, path: Path | str, progress: bool = True) -> HistoryImportResult:
    """Validate the whole file, then write its events in one transaction.

    Raises ``ImportRejected`` listing every bad row (line number and reason); nothing is
    written then.
    """
    errors = Errors()
    parsed = _parse(path, errors, progress)
    title_ids = _resolve_titles(parsed, errors)
    users = _resolve_subscribers(parsed, errors)
    errors.raise_if_any(path)

    result = HistoryImportResult(rows=len(parsed), subscribers=len(parsed.names))
    with import_transaction(path):
        subscriber_ids, result.subscribers_created = _ensure_subscribers(parsed.names, users)
        subscribers = array("q", (subscriber_ids[i] for i in parsed.subscriber))
        titles = array("q", (title_ids[i] for i in parsed.title))
        if connection.vendor == "postgresql":
            changed = _insert_postgresql(parsed, subscribers, titles, progress)
        else:
            changed = _insert_bulk(parsed, subscribers, titles, progress)
        result.inserted = sum(changed.values())
        result.already_present = len(parsed) - result.inserted
        result.subscribers_changed = len(changed)
        if changed:
            outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=sorted(changed))
    return result


# --- validation ---------------------------------------------------------------------------


def _parse(path: Path | str, errors: Errors, progress: bool) -> _Parsed:
    names: dict[str, int] = {}
    externals: dict[str, int] = {}
    parsed = _Parsed([], [], array("l"), array("l"), array("l"), array("b"), array("h"), array("q"))
    ratings: dict[str, int] = {}
    with csv_open(path, required=REQUIRED) as table:
        at_sub, at_ext, at_event, at_ts = (table.column(name) for name in REQUIRED)
        at_rating = table.column("rating")
        for line, cells in table.rows(errors, desc="checking history", progress=progress):
            ok = True
            name = cells[at_sub].strip()  # type: ignore[index]
            sub = names.get(name)
            if sub is None:
                if not name:
                    errors.add(line, MISSING_SUBSCRIBER)
                    ok = False
                elif not USERNAME.match(name):
                    errors.add(line, BAD_SUBSCRIBER % {"value": name[:40]})
                    ok = False
                else:
                    sub = names[name] = len(parsed.names)
                    parsed.names.append(name)
            external_id = cells[at_ext].strip()  # type: ignore[index]
            ext = externals.get(external_id)
            if ext is None:
                if not external_id:
                    errors.add(line, MISSING_EXTERNAL_ID)
                    ok = False
                else:
                    ext = externals[external_id] = len(parsed.external_ids)
                    parsed.external_ids.append(external_id)
            raw_event = cells[at_event].strip()  # type: ignore[index]
            event = EVENT_CODES.get(raw_event)
            if event is None:
                event = EVENT_CODES.get(raw_event.lower())
            if event is None:
                errors.add(line, BAD_EVENT % {"value": raw_event, "choices": ", ".join(EVENTS)})
                ok = False
            raw_rating = cells[at_rating].strip() if at_rating is not None else ""
            rating = ratings.get(raw_rating)
            if rating is None:
                rating = _rating_tenths(raw_rating)
                if rating is None:
                    errors.add(line, BAD_RATING % {"value": raw_rating})
                    ok = False
                else:
                    ratings[raw_rating] = rating
            if event == RATED and rating == NO_RATING:
                errors.add(line, RATING_REQUIRED)
                ok = False
            raw_ts = cells[at_ts].strip()  # type: ignore[index]
            timestamp = _timestamp_us(raw_ts)
            if timestamp is None:
                errors.add(line, BAD_TIMESTAMP % {"value": raw_ts})
                ok = False
            if not ok:
                if ext is not None:
                    parsed.other_rows.append((line, ext))
                continue
            parsed.line.append(line)
            parsed.subscriber.append(sub)  # type: ignore[arg-type]
            parsed.title.append(ext)  # type: ignore[arg-type]
            parsed.event.append(event)  # type: ignore[arg-type]
            parsed.rating.append(rating)  # type: ignore[arg-type]
            parsed.timestamp.append(timestamp)  # type: ignore[arg-type]
    return parsed


def _rating_tenths(raw: str) -> int | None:
    if not raw:
        return NO_RATING
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    tenths = value * 10
    if not value.is_finite() or tenths != tenths.to_integral_value() or not 5 <= tenths <= 50:
        return None
    return int(tenths)


def _timestamp_us(raw: str) -> int | None:
    """Microseconds since the epoch for Unix seconds or ISO 8601 (naive means UTC)."""
    if not raw:
        return None
    try:
        if raw.isdigit():
            us = int(raw) * 1_000_000
        elif raw[0] in "-0123456789" and raw.replace(".", "", 1).lstrip("-").isdigit():
            us = int((Decimal(raw) * 1_000_000).to_integral_value())
        else:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            us = (moment - EPOCH) // timedelta(microseconds=1)
    except (ValueError, InvalidOperation, OverflowError):
        return None
    return us if MIN_US <= us < MAX_US else None


def _resolve_titles(parsed: _Parsed, errors: Errors) -> list[int]:
    """Catalogue ids by external-id index; unknown ones are reported on every row using them."""
    found: dict[str, int] = {}
    external_ids = parsed.external_ids
    for start in range(0, len(external_ids), IN_CHUNK):
        batch = external_ids[start : start + IN_CHUNK]
        found.update(Title.objects.filter(external_id__in=batch).values_list("external_id", "id"))
    ids = [found.get(ext, 0) for ext in external_ids]
    if len(found) < len(external_ids):
        for row, ext in enumerate(parsed.title):
            if not ids[ext]:
                errors.add(parsed.line[row], UNKNOWN_TITLE % {"value": external_ids[ext]})
        for line, ext in parsed.other_rows:
            if not ids[ext]:
                errors.add(line, UNKNOWN_TITLE % {"value": external_ids[ext]})
    return ids


def _resolve_subscribers(parsed: _Parsed, errors: Errors) -> dict[str, tuple[int, bool]]:
    """Existing accounts by username: ``(user id, has a Subscriber row)``. An existing account
    without the subscriber role is an error (an import must not grant roles to staff)."""
    user_model = get_user_model()
    existing: dict[str, tuple[int, bool]] = {}
    allowed: set[str] = set()
    names = parsed.names
    for start in range(0, len(names), IN_CHUNK):
        batch = names[start : start + IN_CHUNK]
        for user_id, username, is_superuser, has_row in user_model.objects.filter(
            username__in=batch
        ).values_list("id", "username", "is_superuser", "subscriber__id"):
            existing[username] = (user_id, has_row is not None)
            if is_superuser or has_row is not None:
                allowed.add(username)
        allowed.update(
            user_model.objects.filter(
                username__in=batch, groups__name=Role.SUBSCRIBER.value
            ).values_list("username", flat=True)
        )
    position = {name: index for index, name in enumerate(names)}
    refused = {position[name] for name in existing if name not in allowed}
    if refused:
        for row, sub in enumerate(parsed.subscriber):
            if sub in refused:
                errors.add(parsed.line[row], NOT_A_SUBSCRIBER % {"value": names[sub]})
    return existing


# --- writing ------------------------------------------------------------------------------


def _ensure_subscribers(
    names: list[str], existing: dict[str, tuple[int, bool]]
) -> tuple[list[int], int]:
    """Create the missing accounts and Subscriber rows; returns Subscriber ids by name index
    and how many accounts were created."""
    user_model = get_user_model()
    new_names = [name for name in names if name not in existing]
    for start in range(0, len(new_names), WRITE_BATCH):
        # make_password(None) is an unusable password: these people sign in elsewhere.
        user_model.objects.bulk_create(
            [
                user_model(username=name, password=make_password(None))
                for name in new_names[start : start + WRITE_BATCH]
            ]
        )
    user_ids = {name: user_id for name, (user_id, _row) in existing.items()}
    for start in range(0, len(new_names), IN_CHUNK):
        batch = new_names[start : start + IN_CHUNK]
        user_ids.update(user_model.objects.filter(username__in=batch).values_list("username", "id"))
    if new_names:
        group, _ = Group.objects.get_or_create(name=Role.SUBSCRIBER.value)
        membership = user_model.groups.through
        membership.objects.bulk_create(
            [membership(user_id=user_ids[name], group_id=group.pk) for name in new_names],
            batch_size=WRITE_BATCH,
        )
    without_row = new_names + [name for name, (_id, has_row) in existing.items() if not has_row]
    Subscriber.objects.bulk_create(
        [Subscriber(user_id=user_ids[name]) for name in without_row], batch_size=WRITE_BATCH
    )
    by_user: dict[int, int] = {}
    all_user_ids = [user_ids[name] for name in names]
    for start in range(0, len(all_user_ids), IN_CHUNK):
        user_batch = all_user_ids[start : start + IN_CHUNK]
        by_user.update(
            Subscriber.objects.filter(user_id__in=user_batch).values_list("user_id", "id")
        )
    return [by_user[user_ids[name]] for name in names], len(new_names)


def _insert_postgresql(
    parsed: _Parsed, subscribers: array[int], titles: array[int], progress: bool
) -> dict[int, int]:
    """COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING.
    Returns {subscriber id: events inserted} for the subscribers whose history changed."""
    table = ViewingEvent._meta.db_table
    ratings = [None if tenths == NO_RATING else f"{tenths / 10:.1f}" for tenths in range(-1, 51)]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS tagline_history_import")
        cursor.execute(
            "CREATE TEMPORARY TABLE tagline_history_import ("
            " subscriber_id bigint, title_id bigint, event varchar(16), rating numeric(2,1), ts_us bigint"
            ") ON COMMIT DROP"
        )
        with (
            progress_bar(total=len(parsed), desc="copying events", enabled=progress) as bar,
            cursor.copy(
                "COPY tagline_history_import (subscriber_id, title_id, event, rating, ts_us) FROM STDIN"
            ) as copy,
        ):
            for start in range(0, len(parsed), WRITE_BATCH):
                end = min(start + WRITE_BATCH, len(parsed))
                for row in range(start, end):
                    copy.write_row(
                        (
                            subscribers[row],
                            titles[row],
                            EVENTS[parsed.event[row]],
                            ratings[parsed.rating[row] + 1],
                            parsed.timestamp[row],
                        )
                    )
                bar.update(end - start)
        # Exact microseconds: integer interval arithmetic, not a float to_timestamp().
        cursor.execute(
            f"WITH inserted AS ("  # noqa: S608 - the table name is the model's, not input
            f" INSERT INTO {table} (subscriber_id, title_id, event, rating, timestamp)"
            " SELECT subscriber_id, title_id, event, rating, TIMESTAMPTZ 'epoch' + ts_us * INTERVAL '1 microsecond'"
            " FROM tagline_history_import ORDER BY subscriber_id, ts_us"
            " ON CONFLICT DO NOTHING RETURNING subscriber_id"
            ") SELECT subscriber_id, COUNT(*) FROM inserted GROUP BY subscriber_id"
        )
        changed: dict[int, int] = dict(cursor.fetchall())
        cursor.execute("DROP TABLE tagline_history_import")
    return changed


def _insert_bulk(
    parsed: _Parsed, subscribers: array[int], titles: array[int], progress: bool
) -> dict[int, int]:
    """Filter out events already stored (and duplicates within the file), then insert in bulk.
    Returns {subscriber id: events inserted} for the subscribers whose history changed."""
    stored: set[tuple[int, int, str, int]] = set()
    subscriber_ids = sorted(set(subscribers))
    for start in range(0, len(subscriber_ids), IN_CHUNK):
        batch = subscriber_ids[start : start + IN_CHUNK]
        for sub, title, event, moment in ViewingEvent.objects.filter(
            subscriber_id__in=batch
        ).values_list("subscriber_id", "title_id", "event", "timestamp"):
            stored.add((sub, title, event, (moment - EPOCH) // timedelta(microseconds=1)))
    ratings = [None if tenths == NO_RATING else Decimal(tenths) / 10 for tenths in range(-1, 51)]
    changed: dict[int, int] = {}
    fresh: list[dict[str, Any]] = []
    for row in range(len(parsed)):
        sub, event = subscribers[row], EVENTS[parsed.event[row]]
        key = (sub, titles[row], event, parsed.timestamp[row])
        if key in stored:
            continue
        stored.add(key)
        changed[sub] = changed.get(sub, 0) + 1
        fresh.append(
            {
                "subscriber_id": sub,
                "title_id": titles[row],
                "event": event,
                "rating": ratings[parsed.rating[row] + 1],
                "timestamp": EPOCH + timedelta(microseconds=parsed.timestamp[row]),
            }
        )
    # Already filtered, but a unique violation must never abort the import: ignore conflicts,
    # as bulk_create(ignore_conflicts=True) would.
    with progress_bar(total=len(fresh), desc="writing events", enabled=progress) as bar:
        for start in range(0, len(fresh), WRITE_BATCH):
            chunk = fresh[start : start + WRITE_BATCH]
            rows_insert(ViewingEvent, chunk, ignore_conflicts=True)
            bar.update(len(chunk))
    return changed


__all__ = ["HistoryImportResult", "ImportRejected", "history_import"]
