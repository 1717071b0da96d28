"""Turning submitted taggings into a title's canonical tags: the consensus proposal, an editor's
adjudication (versioned, optimistic locking, outbox row in the same transaction through
``catalog.services.canonical_tags_set``) and the automatic rule for titles taggers agree on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import CanonicalTags, Dimension, Title
from catalog.services import canonical_tags_set
from catalog.values import Codebook
from config.api_errors import Conflict

from ..models import Tagging
from ..review_models import DimensionPolicy
from .agreement.data import answers_load, dimension_data
from .agreement.stats import consensus_proposal, unit_disagreement, unit_sizes
from .taggings import tagging_return

if TYPE_CHECKING:
    from django.contrib.auth.models import User

STALE = _(
    "The canonical tags of this title were changed by someone else (now version %(current)s, "
    "you had %(given)s). Reload; nothing was overwritten."
)
BAD_VERSION = _("Expected the version you loaded (a whole number, 0 when there were none).")
REASON_TOO_LONG = _("Keep the reason under 500 characters.")
NOT_THIS_TITLE = _("This tagging is not an answer to this title.")


def _version_clean(version: Any) -> int:
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValidationError({"version": [BAD_VERSION]})
    return version


@transaction.atomic
def canonical_tags_adjudicate(
    *,
    title: Title,
    values: dict[str, Any],
    editor: User,
    reason: str = "",
    version: Any = None,
    codebook: Codebook | None = None,
) -> CanonicalTags:
    """An editor sets ``title``'s canonical tags. With ``version`` (the canonical version the
    editor loaded, 0 for none) a concurrent change is refused with ``Conflict`` instead of being
    overwritten. A new revision records who and why; the outbox row triggers the rebuild."""
    if reason and len(reason) > 500:
        raise ValidationError({"reason": [REASON_TOO_LONG]})
    current = CanonicalTags.objects.select_for_update().filter(title=title).first()
    if version is not None:
        given = _version_clean(version)
        now = current.version if current else 0
        if given != now:
            raise Conflict(STALE % {"current": now, "given": given})
    result = canonical_tags_set(
        title=title,
        values=values,
        source=CanonicalTags.Source.ADJUDICATED,
        changed_by=editor,
        reason=reason or "Adjudicated",
        codebook=codebook,
    )
    if result.source != CanonicalTags.Source.ADJUDICATED:
        # The editor confirmed the values as they were (e.g. set automatically): the values and
        # the recommendation lists stay, only who vouches for them changes.
        CanonicalTags.objects.filter(pk=result.pk).update(
            source=CanonicalTags.Source.ADJUDICATED, updated_by=editor, updated_at=timezone.now()
        )
        result.refresh_from_db()
    return result


def tagging_return_for_title(
    *, title: Title, tagging: Tagging, editor: User, comment: str
) -> Tagging:
    """Return one answer of ``title`` to its tagger (the tagger engineer's ``tagging_return``)."""
    if tagging.title_id != title.pk:
        raise ValidationError({"tagging": [NOT_THIS_TITLE]})
    return tagging_return(tagging=tagging, editor=editor, comment=comment)


def automatic_decisions(*, title_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Titles whose answers pass every active dimension's automatic threshold -> their values.

    A title qualifies when each active dimension it was answered on has a policy with a
    threshold, enough submitted answers (``min_taggers``), a title-level agreement
    (1 − mean pairwise distance, 0..1) at or above the threshold, and no split decision.
    Titles an editor has adjudicated are left alone: an editor's word is never overridden."""
    dimensions = list(Dimension.objects.filter(active=True).order_by("order", "slug"))
    answers = answers_load(title_ids=title_ids, dimensions=[d.slug for d in dimensions])
    if len(answers) == 0:
        return {}
    policies = {p.dimension_id: p for p in DimensionPolicy.objects.filter(dimension__in=dimensions)}
    tag_slugs: dict[int, list[str]] = {}
    for dimension in dimensions:
        tag_slugs[dimension.pk] = list(
            dimension.tags.order_by("order", "level", "label").values_list("slug", flat=True)
        )
    all_titles = np.unique(answers.title_ids)
    ok = np.ones(all_titles.size, dtype=bool)
    values: dict[int, dict[str, Any]] = {int(t): {} for t in all_titles}
    for dimension in dimensions:
        data = dimension_data(answers, dimension, tag_slugs=tag_slugs[dimension.pk])
        if data.units.size == 0:
            continue
        where = np.searchsorted(all_titles, data.units)
        policy = policies.get(dimension.pk)
        if policy is None or policy.auto_threshold is None:
            ok[where] = False
            continue
        agreement = 1.0 - unit_disagreement(data)
        proposal, split = consensus_proposal(data)
        passes = (
            (unit_sizes(data) >= policy.min_taggers)
            & (agreement >= policy.auto_threshold - 1e-9)
            & ~split
        )
        ok[where[~passes]] = False
        for u in np.flatnonzero(passes):
            if proposal[u] not in (None, []):
                values[int(data.units[u])][dimension.slug] = proposal[u]
    adjudicated = set(
        CanonicalTags.objects.filter(
            title_id__in=all_titles[ok].tolist(), source=CanonicalTags.Source.ADJUDICATED
        ).values_list("title_id", flat=True)
    )
    return {int(t): values[int(t)] for t in all_titles[ok] if int(t) not in adjudicated}


def canonical_tags_auto_apply(*, title_ids: Iterable[int] | None = None) -> int:
    """Set canonical tags (source=automatic) for every title that qualifies; returns how many
    changed. Each title is its own short transaction (SQLite holds one writer at a time)."""
    decisions = automatic_decisions(title_ids=title_ids)
    if not decisions:
        return 0
    codebook = Codebook.load()
    titles = Title.objects.in_bulk(list(decisions))
    changed = 0
    for title_id, values in decisions.items():
        title = titles.get(title_id)
        if title is None or not values:
            continue
        with transaction.atomic():
            before = (
                CanonicalTags.objects.filter(title=title).values_list("version", flat=True).first()
            )
            result = canonical_tags_set(
                title=title,
                values=values,
                source=CanonicalTags.Source.AUTOMATIC,
                changed_by=None,
                reason="Taggers agreed above the automatic thresholds",
                replace=False,
                codebook=codebook,
            )
            changed += int(result.version != before)
    return changed


@transaction.atomic
def dimension_policy_set(
    *,
    dimension: Dimension,
    editor: User,
    auto_threshold: float | None,
    min_taggers: int = 2,
    disagreement_weight: float = 1.0,
) -> DimensionPolicy:
    """Editors' thresholds for one dimension (validated, 0..1 threshold, at least 2 taggers)."""
    policy = DimensionPolicy.objects.filter(dimension=dimension).first() or DimensionPolicy(
        dimension=dimension
    )
    policy.auto_threshold = auto_threshold
    policy.min_taggers = min_taggers
    policy.disagreement_weight = disagreement_weight
    policy.updated_by = editor
    policy.full_clean(exclude=["dimension", "updated_by"])
    policy.save()
    return policy
