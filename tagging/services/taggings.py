"""A tagger's answer for a title: create the draft, save it (optimistic locking), submit it, and
the editor's return of a submitted tagging.

Every write is a conditional ``UPDATE … WHERE version = <the version the writer saw>``: the
winner bumps the version, a stale writer changes no row and gets ``Conflict`` (HTTP 409) — nothing
is overwritten silently. Every successful save records a ``TaggingRevision`` in the same
transaction, so the full history of a tagging can be shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.relations import PrimaryKeyRelatedField

from catalog.models import Title
from catalog.selectors import taxonomy_version
from catalog.values import Codebook, values_clean
from config.api_errors import Conflict

from ..models import Assignment, Tagging
from ..review_models import AUTO_MIN_TAGGERS
from . import tagging_sql
from .codebook import codebook_current

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

NOT_ASSIGNED = _(
    "This title is not assigned to you. Take titles from your queue or with “Next title”."
)
ALREADY_EXISTS = _(
    "You already have a tagging of this title (id %(id)s, version %(version)s): update it instead."
)
STALE_VERSION = _(
    "This tagging was saved elsewhere (now version %(current)s, you had %(given)s). "
    "Reload it; nothing was overwritten."
)
READ_ONLY = _("This tagging is submitted and read-only until an editor returns it.")
NOT_SUBMITTED = _("Only a submitted tagging can be returned.")
COMMENT_REQUIRED = _("Say what the tagger should change.")
NOTES_TOO_LONG = _("Notes are limited to %(max)s characters.")
NOT_TEXT = _("Expected text.")
EVIDENCE_NOT_OBJECT = _("Expected an object mapping dimension slugs to lists of pins.")
EVIDENCE_BAD_PIN = _('Each pin is {"value": …, "seconds": a time in seconds from 0}.')
EVIDENCE_TOO_MANY = _("At most %(max)s pins per dimension.")
BAD_SECONDS = _("Expected a whole number of seconds from 0 to %(max)s.")
UNKNOWN_DIMENSION = _("Unknown dimension “%(slug)s”.")
BAD_VERSION = _("Expected the version number you loaded (a positive whole number).")

MAX_NOTES = 5000
MAX_PINS = 50
MAX_PIN_SECONDS = 48 * 3600  # longer than any title
MAX_SECONDS_SPENT = 10_000_000
EDITABLE = (Tagging.Status.DRAFT, Tagging.Status.RETURNED)


# --- validation ----------------------------------------------------------------------------


def notes_clean(notes: Any) -> str:
    """Notes are plain text (templates escape them on display); only type and length matter."""
    if notes is None:
        return ""
    if not isinstance(notes, str):
        raise ValidationError({"notes": [NOT_TEXT]})
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": [NOTES_TOO_LONG % {"max": MAX_NOTES}]})
    return notes


def evidence_clean(evidence: Any, *, codebook: Codebook) -> dict[str, list[dict[str, Any]]]:
    """``{dimension_slug: [{"value": scalar, "seconds": float}]}`` with known, active dimensions."""
    if evidence is None:
        return {}
    if not isinstance(evidence, dict):
        raise ValidationError({"evidence": [EVIDENCE_NOT_OBJECT]})
    errors: dict[str, list[StrOrPromise]] = {}
    clean: dict[str, list[dict[str, Any]]] = {}
    for slug, pins in evidence.items():
        key = f"evidence.{slug}"
        dimension = codebook.dimensions.get(slug)
        if dimension is None or not dimension.active:
            errors[key] = [UNKNOWN_DIMENSION % {"slug": slug}]
            continue
        if not isinstance(pins, list):
            errors[key] = [EVIDENCE_BAD_PIN]
            continue
        if len(pins) > MAX_PINS:
            errors[key] = [EVIDENCE_TOO_MANY % {"max": MAX_PINS}]
            continue
        out = []
        for pin in pins:
            seconds = pin.get("seconds") if isinstance(pin, dict) else None
            value = pin.get("value") if isinstance(pin, dict) else None
            if (
                not isinstance(pin, dict)
                or set(pin) - {"value", "seconds"}
                or isinstance(seconds, bool)
                or not isinstance(seconds, int | float)
                or not math.isfinite(seconds)
                or not 0 <= seconds <= MAX_PIN_SECONDS
                or not (value is None or isinstance(value, bool | int | str))
                or (isinstance(value, str) and len(value) > 64)
            ):
                errors[key] = [EVIDENCE_BAD_PIN]
                break
            out.append({"value": value, "seconds": round(float(seconds), 2)})
        else:
            if out:
                clean[slug] = out
    if errors:
        raise ValidationError(errors)
    return clean


def seconds_clean(seconds: Any) -> int:
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or not 0 <= seconds <= MAX_SECONDS_SPENT
    ):
        raise ValidationError({"seconds_spent": [BAD_SECONDS % {"max": MAX_SECONDS_SPENT}]})
    return seconds


def _version_clean(version: Any) -> int:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationError({"version": [BAD_VERSION]})
    return version


# --- writes --------------------------------------------------------------------------------


def _record_revision(
    tagging: Tagging, *, saved_by: User | None, now: datetime | None = None
) -> None:
    tagging_sql.insert_revision(tagging, saved_by=saved_by, now=now or timezone.now())


def _clean_fields(
    *,
    codebook: Codebook,
    values: Any = None,
    notes: Any = None,
    evidence: Any = None,
    seconds_spent: Any = None,
) -> dict[str, Any]:
    """Validate the given fields (None = not given) and report every bad one at once."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value, cleaner in (
        ("values", values, lambda v: values_clean(v, codebook=codebook)),
        ("notes", notes, notes_clean),
        ("evidence", evidence, lambda v: evidence_clean(v, codebook=codebook)),
        ("seconds_spent", seconds_spent, seconds_clean),
    ):
        if value is None:
            continue
        try:
            clean[name] = cleaner(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean


def _current(codebook: Codebook | None) -> tuple[Codebook, int]:
    """The codebook to validate against and the taxonomy version to record."""
    if codebook is not None:
        return codebook, taxonomy_version()
    current = codebook_current()
    return current.codebook, current.taxonomy_version


def _title_missing(title_id: int) -> ValidationError | None:
    """The API passes a bare id: the same 400 as DRF's related field when no such title."""
    if Title.objects.filter(pk=title_id).exists():
        return None
    message = PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    return ValidationError({"title": [str(message).format(pk_value=title_id)]})


def tagging_create(
    *,
    tagger: User,
    title: Title | int,
    values: Any = None,
    notes: Any = "",
    evidence: Any = None,
    seconds_spent: Any = 0,
    codebook: Codebook | None = None,
) -> Tagging:
    """Start the tagger's draft of ``title`` (a title or its id). The title must be assigned to
    them (taggers do not self-assign: work comes from editors or the pool claim, which respects
    the overlap). A second draft of the same title is a ``Conflict``: update the existing one
    with its version.

    Validation and reads run before the write transaction, which stays short: on SQLite it
    holds the database's only write lock."""
    title_id = title if isinstance(title, int) else title.pk
    # The assignment and any tagging already hanging from it, in one read.
    assignment = tagging_sql.assignment_of(title_id=title_id, tagger=tagger)
    if assignment is None:
        raise _title_missing(title_id) or ValidationError({"title": [NOT_ASSIGNED]})
    if assignment["tagging__pk"] is not None:
        raise Conflict(
            ALREADY_EXISTS
            % {"id": assignment["tagging__pk"], "version": assignment["tagging__version"]}
        )
    codebook, version_of_taxonomy = _current(codebook)
    clean = _clean_fields(
        codebook=codebook,
        values=values if values is not None else {},
        notes=notes or "",
        evidence=evidence if evidence is not None else {},
        seconds_spent=seconds_spent,
    )
    tagging = Tagging(
        title_id=title_id,
        tagger=tagger,
        assignment_id=assignment["pk"],
        status=Tagging.Status.DRAFT,
        version=1,
        taxonomy_version=version_of_taxonomy,
        **clean,
    )
    if isinstance(title, Title):
        tagging.title = title
    mark_new = assignment["status"] == Assignment.Status.NEW
    try:
        # A tagging of the title left without its assignment (one deleted and made again) is
        # not in the read above: the unique constraint turns it into the same Conflict.
        if tagging_sql.single_statement_writes():
            # One statement is atomic by itself; inside a caller's transaction, a savepoint
            # keeps the IntegrityError from breaking it.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                tagging_sql.insert_tagging_with_revision(
                    tagging,
                    saved_by=tagger,
                    mark_assignment=(Assignment.Status.DRAFT, Assignment.Status.NEW)
                    if mark_new
                    else None,
                )
        else:
            with transaction.atomic():
                tagging_sql.insert_tagging(tagging)
                if mark_new:
                    tagging_sql.set_assignment_status(
                        assignment["pk"],
                        Assignment.Status.DRAFT,
                        tagging.updated_at,
                        only_from=Assignment.Status.NEW,
                    )
                _record_revision(tagging, saved_by=tagger, now=tagging.updated_at)
    except IntegrityError as exc:  # the same tagger's second tab created it a moment earlier
        current: Mapping[str, Any] = (
            Tagging.objects.filter(title_id=title_id, tagger=tagger).values("pk", "version").first()
            or {}
        )
        raise Conflict(
            ALREADY_EXISTS % {"id": current.get("pk"), "version": current.get("version")}
        ) from exc
    return tagging


def _stale_or_read_only(tagging_id: int, given: int) -> Conflict:
    current: Mapping[str, Any] = (
        Tagging.objects.filter(pk=tagging_id).values("status", "version").first() or {}
    )
    if current.get("status") == Tagging.Status.SUBMITTED:
        return Conflict(READ_ONLY)
    return Conflict(STALE_VERSION % {"current": current.get("version"), "given": given})


def tagging_save_draft(
    *,
    tagging: Tagging,
    user: User,
    version: Any,
    values: Any = None,
    notes: Any = None,
    evidence: Any = None,
    seconds_spent: Any = None,
    codebook: Codebook | None = None,
) -> Tagging:
    """Save a draft (or a returned tagging being corrected). Fields left as None keep their
    stored value; ``values`` replaces the whole answer. ``version`` is the version the writer
    loaded: a stale one raises ``Conflict`` and stores nothing. ``seconds_spent`` is the
    client's running total; it never decreases."""
    version = _version_clean(version)
    changes = _clean_fields(
        codebook=_current(codebook)[0] if codebook is None else codebook,
        values=values,
        notes=notes,
        evidence=evidence,
        seconds_spent=seconds_spent,
    )
    if tagging.status not in EDITABLE:
        raise Conflict(READ_ONLY)
    if "seconds_spent" in changes:
        changes["seconds_spent"] = max(changes["seconds_spent"], tagging.seconds_spent)
    now = timezone.now()
    changes["updated_at"] = now
    mark_new = bool(tagging.assignment_id) and _assignment_may_be_new(tagging)
    if tagging_sql.single_statement_writes():
        mark = (Assignment.Status.DRAFT, Assignment.Status.NEW) if mark_new else None
        return _update_with_revision(tagging, version, changes, user=user, mark_assignment=mark)
    with transaction.atomic():
        won = tagging_sql.update_tagging_if(
            pk=tagging.pk, version=version, statuses=EDITABLE, changes=changes
        )
        if not won:
            raise _stale_or_read_only(tagging.pk, version)
        _applied(tagging, loaded=version, changes=changes)
        if mark_new and tagging.assignment_id:
            tagging_sql.set_assignment_status(
                tagging.assignment_id,
                Assignment.Status.DRAFT,
                now,
                only_from=Assignment.Status.NEW,
            )
        _record_revision(tagging, saved_by=user, now=now)
    return tagging


def _update_with_revision(
    tagging: Tagging,
    version: int,
    changes: dict[str, Any],
    *,
    user: User,
    mark_assignment: tuple[str, str | None] | None,
) -> Tagging:
    """The PostgreSQL single-statement write: the conditional UPDATE, the assignment's status
    and the revision together; 409 when another write won."""
    won = tagging_sql.update_tagging_with_revision(
        pk=tagging.pk,
        version=version,
        statuses=EDITABLE,
        changes=changes,
        saved_by=user,
        mark_assignment=mark_assignment,
    )
    if not won:
        raise _stale_or_read_only(tagging.pk, version)
    _applied(tagging, loaded=version, changes=changes)
    return tagging


def _applied(tagging: Tagging, *, loaded: int, changes: dict[str, Any]) -> None:
    """Bring ``tagging`` to the row just written by a conditional UPDATE that matched
    ``version == loaded``. Every write bumps the version, so when the instance itself was read at
    that version the row is the instance plus ``changes``: no re-read. Otherwise (the row moved
    on between this request's read and the client's version) read it back."""
    if tagging.version != loaded:
        tagging.refresh_from_db()
        return
    for name, value in changes.items():
        setattr(tagging, name, value)
    tagging.version = loaded + 1


def _assignment_may_be_new(tagging: Tagging) -> bool:
    """False when the assignment read with the tagging is already past "new" (statuses never go
    back to "new"), which saves an UPDATE that would match nothing."""
    cached = Tagging.assignment.is_cached(tagging)  # type: ignore[attr-defined]
    return not cached or (
        tagging.assignment is not None and tagging.assignment.status == Assignment.Status.NEW
    )


def _enqueue_auto_apply(title_id: int) -> None:
    """After the submit's commit: once the title has the fewest submissions the automatic rule
    can apply on, the worker checks whether its tags can be set automatically. Counted after
    the commit, so of two taggers committing at once the later sees both submissions: the
    check is never missed, and a first submission (half of them at an overlap of 2) costs no
    message to the broker."""
    if tagging_sql.submitted_count(title_id) < AUTO_MIN_TAGGERS:
        return
    from ..tasks import canonical_tags_auto_apply_task

    canonical_tags_auto_apply_task.delay(title_id)


def tagging_submit(
    *,
    tagging: Tagging,
    user: User,
    version: Any = None,
    codebook: Codebook | None = None,
) -> Tagging:
    """Submit: every required dimension must be answered (errors name each one). With
    ``version`` the submit is refused as stale when someone saved since; without it, the
    stored version is submitted. A submitted tagging is read-only until returned."""
    given = tagging.version if version is None else _version_clean(version)
    if tagging.status not in EDITABLE:
        raise Conflict(READ_ONLY)
    if given != tagging.version:
        raise _stale_or_read_only(tagging.pk, given)
    codebook, current_taxonomy = _current(codebook)
    clean = values_clean(tagging.values, codebook=codebook, require_complete=True)
    now = timezone.now()
    changes = {
        "values": clean,
        "status": Tagging.Status.SUBMITTED,
        "submitted_at": now,
        "updated_at": now,
        "taxonomy_version": current_taxonomy,
    }
    if tagging_sql.single_statement_writes():
        mark = (Assignment.Status.SUBMITTED, None) if tagging.assignment_id else None
        _update_with_revision(tagging, given, changes, user=user, mark_assignment=mark)
        # Committed already, unless a caller's transaction is open: then on its commit.
        transaction.on_commit(lambda: _enqueue_auto_apply(tagging.title_id), robust=True)
        return tagging
    with transaction.atomic():
        won = tagging_sql.update_tagging_if(
            pk=tagging.pk, version=given, statuses=EDITABLE, changes=changes
        )
        if not won:
            raise _stale_or_read_only(tagging.pk, given)
        _applied(tagging, loaded=given, changes=changes)
        if tagging.assignment_id:
            tagging_sql.set_assignment_status(
                tagging.assignment_id, Assignment.Status.SUBMITTED, now
            )
        _record_revision(tagging, saved_by=user, now=now)
        transaction.on_commit(lambda: _enqueue_auto_apply(tagging.title_id), robust=True)
    return tagging


@transaction.atomic
def tagging_return(*, tagging: Tagging, editor: User, comment: str) -> Tagging:
    """An editor sends a submitted tagging back to its tagger with a comment; the tagger can edit
    and submit it again. The comment is shown on the tag page and kept in the history."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [COMMENT_REQUIRED]})
    if len(comment) > MAX_NOTES:
        raise ValidationError({"comment": [NOTES_TOO_LONG % {"max": MAX_NOTES}]})
    now = timezone.now()
    won = Tagging.objects.filter(pk=tagging.pk, status=Tagging.Status.SUBMITTED).update(
        status=Tagging.Status.RETURNED,
        returned_comment=comment,
        returned_by=editor,
        returned_at=now,
        version=F("version") + 1,
        updated_at=now,
    )
    if not won:
        raise ValidationError({"tagging": [NOT_SUBMITTED]})
    tagging.refresh_from_db()
    if tagging.assignment_id:
        Assignment.objects.filter(pk=tagging.assignment_id).update(
            status=Assignment.Status.RETURNED, updated_at=now
        )
    _record_revision(tagging, saved_by=editor)
    return tagging
