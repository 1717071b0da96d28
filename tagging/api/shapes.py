"""The JSON of the taggers' hot endpoints as plain dicts: exactly what ``AssignmentSerializer``
and ``TaggingSerializer`` produce (tests/tagging/test_api_shapes.py compares them field by
field), at a fraction of the cost. The serializers stay for the schema, lists and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from catalog.models import Title

from ..models import Assignment, Tagging


def _datetime(value: datetime | None) -> str | None:
    """DRF's ISO 8601 output: in the current time zone, UTC written ``Z``."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def title_data(title: Title) -> dict[str, Any]:
    return {
        "id": title.pk,
        "external_id": str(title.external_id),
        "title": str(title.title),
        "year": title.year,
        "kind": str(title.kind),
        "parent": title.parent_id,
        "runtime_minutes": title.runtime_minutes,
        "synopsis": str(title.synopsis),
        "media_url": str(title.media_url),
        "poster_url": str(title.poster_url),
    }


def assignment_data(assignment: Assignment, *, tagging: Tagging | None) -> dict[str, Any]:
    """``tagging`` is the assignment's tagging, passed in so no lazy query can hide here."""
    return {
        "id": assignment.pk,
        "title": title_data(assignment.title),
        "tagger": str(assignment.tagger.username),
        "status": str(assignment.status),
        "source": str(assignment.source),
        "priority": assignment.priority,
        "due_date": _date(assignment.due_date),
        "is_calibration": bool(assignment.is_calibration),
        "created_at": _datetime(assignment.created_at),
        "updated_at": _datetime(assignment.updated_at),
        "tagging": None
        if tagging is None
        else {"id": tagging.pk, "status": str(tagging.status), "version": tagging.version},
    }


def tagging_data(tagging: Tagging, *, tagger_username: str) -> dict[str, Any]:
    return {
        "id": tagging.pk,
        "title": tagging.title_id,
        "tagger": str(tagger_username),
        "assignment": tagging.assignment_id,
        "status": str(tagging.status),
        "values": tagging.values,
        "evidence": tagging.evidence,
        "notes": str(tagging.notes),
        "version": tagging.version,
        "seconds_spent": tagging.seconds_spent,
        "taxonomy_version": tagging.taxonomy_version,
        "created_at": _datetime(tagging.created_at),
        "updated_at": _datetime(tagging.updated_at),
        "submitted_at": _datetime(tagging.submitted_at),
        "returned_comment": str(tagging.returned_comment),
        "returned_at": _datetime(tagging.returned_at),
    }
