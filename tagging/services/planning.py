"""Assignment planning: give a batch of titles N taggers each, balanced across the chosen
taggers (``assignments_bulk_create`` does the balancing and skips pairs that exist)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Title

from ..models import Assignment
from .assignments import assignments_bulk_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NO_TITLES = _("No title matches: nothing to assign.")
TOO_MANY = _("Plan at most %(max)s titles at once.")
MAX_TITLES = 5000


def planning_titles(*, overlap: int, limit: int, search: str = "") -> list[Title]:
    """Titles still short of ``overlap`` assignments, the least covered first (series are
    tagged through their episodes)."""
    qs = (
        Title.objects.exclude(kind=Title.Kind.SERIES)
        .annotate(n_assigned=Count("assignments"))
        .filter(n_assigned__lt=overlap)
    )
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(external_id__iexact=search))
    return list(qs.order_by("n_assigned", "id")[:limit])


def planning_assign(
    *,
    taggers: Sequence[User],
    overlap: int,
    count: int,
    editor: User,
    search: str = "",
    due_date: date | None = None,
) -> list[Assignment]:
    """Assign the next ``count`` titles short of ``overlap`` to ``overlap`` taggers each."""
    if count > MAX_TITLES:
        raise ValidationError({"count": [TOO_MANY % {"max": MAX_TITLES}]})
    titles = planning_titles(overlap=overlap, limit=count, search=search)
    if not titles:
        raise ValidationError({"count": [NO_TITLES]})
    return assignments_bulk_create(
        titles=titles, taggers=taggers, overlap=overlap, assigned_by=editor, due_date=due_date
    )
