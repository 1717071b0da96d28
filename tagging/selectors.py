"""Tagging reads, and the one place that answers "who may see which tagging".

Blind double-coding: a tagger sees only their own assignments and taggings — never another
tagger's answers for a title, nor the title's canonical tags. Every tagger-facing view and API
endpoint fetches through these functions, so the rule is enforced in the queryset itself and
an id that belongs to someone else is simply not found (404), which also does not reveal that
it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from accounts.roles import Role, has_role
from catalog.models import Title

from .models import Assignment, Tagging, TaggingRevision

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def sees_all_taggings(user: User) -> bool:
    """Editors compare taggers' answers; taggers work blind."""
    return has_role(user, Role.EDITOR)


def taggings_visible_to(user: User) -> QuerySet[Tagging]:
    qs = Tagging.objects.select_related("title", "tagger", "assignment")
    return qs if sees_all_taggings(user) else qs.filter(tagger=user)


def tagging_get(*, user: User, pk: Any) -> Tagging:
    """A tagging the user may see, or 404 (another tagger's tagging is not found)."""
    tagging = taggings_visible_to(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if tagging is None:
        raise Http404("No such tagging.")
    return tagging


def tagging_get_own(*, user: User, pk: Any) -> Tagging:
    """The user's own tagging (for writes: even editors write only their own), or 404. Read with
    its assignment in one SQL statement: every tagger save starts here."""
    from .services.tagging_sql import own_tagging

    tagging = own_tagging(user=user, pk=int(pk)) if str(pk).isdigit() else None
    if tagging is None:
        raise Http404("No such tagging.")
    return tagging


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    qs = Assignment.objects.select_related("title", "tagger", "tagging")
    return qs if sees_all_taggings(user) else qs.filter(tagger=user)


def queue_list(*, tagger: User) -> QuerySet[Assignment]:
    """The tagger's queue page: work still to do first (returned, then drafts, then new), by
    priority and due date; submitted work last."""
    rank = Case(
        When(status=Assignment.Status.RETURNED, then=Value(0)),
        When(status=Assignment.Status.DRAFT, then=Value(1)),
        When(status=Assignment.Status.NEW, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        Assignment.objects.filter(tagger=tagger)
        .select_related("title", "tagging")
        .annotate(rank=rank)
        .order_by("rank", "-priority", "due_date", "id")
    )


def queue_counts(*, tagger: User) -> dict[str, int]:
    counts = dict.fromkeys(Assignment.Status.values, 0)
    for status in Assignment.objects.filter(tagger=tagger).values_list("status", flat=True):
        counts[status] += 1
    return counts


def tag_page_assignment(*, user: User, title_id: int) -> Assignment:
    """The user's assignment of ``title_id`` (with their own tagging, if any), or 404: the tag
    page is only for titles assigned to the user."""
    assignment = (
        Assignment.objects.select_related("title", "tagging")
        .filter(tagger=user, title_id=title_id)
        .first()
    )
    if assignment is None:
        raise Http404("This title is not assigned to you.")
    return assignment


def own_tagging_of(*, user: User, title: Title) -> Tagging | None:
    return Tagging.objects.filter(tagger=user, title=title).first()


def tagging_history(*, tagging: Tagging) -> QuerySet[TaggingRevision]:
    """Every saved version of one tagging, newest first. Callers must have fetched ``tagging``
    through ``tagging_get`` (so a tagger only ever sees their own history)."""
    return tagging.revisions.select_related("saved_by").order_by("-version")
