"""Calibration titles: an editor records the reference answer of a title, then assigns it to
taggers like any other title (the tagger's queue does not say it is a calibration title), and
their submitted answers are scored against the reference (see ``selectors_review.taggers``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import Title
from catalog.values import values_clean

from ..models import Assignment
from ..review_models import CalibrationAnswer
from .assignments import assignments_bulk_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NO_REFERENCE = _("Record the reference answer of this title before assigning it for calibration.")
EMPTY_REFERENCE = _("A reference answer needs at least one dimension.")


@transaction.atomic
def calibration_answer_set(
    *, title: Title, values: dict[str, Any], editor: User, notes: str = ""
) -> CalibrationAnswer:
    clean = values_clean(values)
    if not clean:
        raise ValidationError({"values": [EMPTY_REFERENCE]})
    answer = CalibrationAnswer.objects.select_for_update().filter(title=title).first()
    if answer is None:
        answer = CalibrationAnswer(title=title, created_by=editor)
    answer.values, answer.notes, answer.active = clean, notes.strip()[:5000], True
    answer.save()
    return answer


@transaction.atomic
def calibration_answer_retire(*, title: Title) -> None:
    CalibrationAnswer.objects.filter(title=title).update(active=False)


def calibration_assign(*, title: Title, taggers: Sequence[User], editor: User) -> list[Assignment]:
    """Put a calibration title in each tagger's queue, mixed in with their other work."""
    if not CalibrationAnswer.objects.filter(title=title, active=True).exists():
        raise ValidationError({"title": [NO_REFERENCE]})
    return assignments_bulk_create(
        titles=[title],
        taggers=taggers,
        overlap=len({t.pk for t in taggers}),
        assigned_by=editor,
        is_calibration=True,
    )
