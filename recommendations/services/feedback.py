"""Subscriber feedback: like, not interested, dislike, mark watched.

Check → do → announce: the event and the outbox row that makes the worker rebuild this
subscriber's list are written in one transaction, so neither exists without the other.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import OutboxEvent, Title
from catalog.outbox import outbox_record

from ..models import Subscriber, ViewingEvent

#: What the API and the pages accept, mapped to the history event they write.
FEEDBACK_EVENTS: dict[str, ViewingEvent.Event] = {
    "like": ViewingEvent.Event.LIKED,
    "liked": ViewingEvent.Event.LIKED,
    "not_interested": ViewingEvent.Event.NOT_INTERESTED,
    "dislike": ViewingEvent.Event.DISLIKED,
    "disliked": ViewingEvent.Event.DISLIKED,
    "watched": ViewingEvent.Event.WATCHED,
}
UNKNOWN_FEEDBACK = _("Choose one of: like, not_interested, dislike, watched.")
UNKNOWN_TITLE = _("No title with id %(id)s.")
FEEDBACK_REQUIRED = _("This field is required.")


def feedback_event(value: object) -> ViewingEvent.Event:
    """The history event for a feedback word, or a ``ValidationError`` naming ``feedback``."""
    if value in (None, ""):
        raise ValidationError({"feedback": [FEEDBACK_REQUIRED]})
    event = FEEDBACK_EVENTS.get(str(value).strip().lower())
    if event is None:
        raise ValidationError({"feedback": [UNKNOWN_FEEDBACK]})
    return event


def feedback_title(value: object) -> Title:
    """The title a feedback names, or a ``ValidationError`` naming ``title``."""
    if value in (None, ""):
        raise ValidationError({"title": [FEEDBACK_REQUIRED]})
    try:
        pk = int(str(value))
    except ValueError:
        raise ValidationError({"title": [UNKNOWN_TITLE % {"id": value}]}) from None
    title = Title.objects.filter(pk=pk).first()
    if title is None:
        raise ValidationError({"title": [UNKNOWN_TITLE % {"id": value}]})
    return title


def feedback_record(
    *, subscriber: Subscriber, title: Title, event: ViewingEvent.Event | str
) -> ViewingEvent:
    """Write the feedback to history and queue this subscriber's rebuild, atomically."""
    event = ViewingEvent.Event(event)
    with transaction.atomic():
        viewing = ViewingEvent.objects.create(
            subscriber=subscriber, title=title, event=event, timestamp=timezone.now()
        )
        outbox_record(kind=OutboxEvent.Kind.SUBSCRIBER, object_ids=[subscriber.pk])
    return viewing
