"""Agreement per dimension (the API and the review home) and one title's answers side by side."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
from django.core.cache import cache

from catalog.models import CanonicalTags, Dimension, Title

from ..models import Tagging
from ..services.agreement.core import DEFAULT_BOOTSTRAP
from ..services.agreement.data import LEVELS, Answers, answers_load, dimension_data
from ..services.agreement.stats import consensus_proposal, dimension_alpha, unit_disagreement
from .common import ReviewCodebook, review_codebook


def _level_of_measurement(dimension: Dimension, set_metric: str) -> str:
    level = str(LEVELS[dimension.kind])
    return f"nominal per tag; set ({set_metric})" if level == "set" else level


def agreement_dimension(
    *,
    dimension: Dimension,
    since: datetime | None = None,
    until: datetime | None = None,
    tagger_ids: Iterable[int] | None = None,
    title_ids: Iterable[int] | None = None,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    set_metric: str = "masi",
    codebook: ReviewCodebook | None = None,
    answers: Answers | None = None,
) -> dict[str, Any]:
    """``GET /api/v1/agreement/``: alpha over submitted taggings with a 95 % bootstrap CI."""
    codebook = codebook or review_codebook(include_retired=True)
    if answers is None:
        answers = answers_load(
            since=since,
            until=until,
            tagger_ids=tagger_ids,
            title_ids=title_ids,
            dimensions=[dimension.slug],
        )
    data = dimension_data(
        answers,
        dimension,
        tag_slugs=codebook.tag_slugs.get(dimension.slug, []),
        set_metric=set_metric,
    )
    figures = dimension_alpha(data, bootstrap=bootstrap)
    return {
        "dimension": dimension.slug,
        "label": dimension.label_i18n,
        "kind": dimension.kind,
        "level_of_measurement": _level_of_measurement(dimension, set_metric),
        "alpha": figures.pop("alpha"),
        "units": figures.pop("units"),
        "taggers": _pairable_coders(data.unit, data.coder),
        **figures,
    }


def _pairable_coders(unit: np.ndarray, coder: np.ndarray) -> int:
    """Taggers with at least one value in a title someone else answered too."""
    if unit.size == 0:
        return 0
    return int(np.unique(coder[np.bincount(unit)[unit] >= 2]).size)


def agreement_overview_cached(*, bootstrap: int = 400) -> list[dict[str, Any]] | None:
    """The overview if it is already computed for the current data, else None (the page then
    loads it in a second request instead of making the editor wait for the queue)."""
    from .queue import review_fingerprint

    return cache.get(f"{review_fingerprint()}:overview:{bootstrap}")


def agreement_overview(
    *, bootstrap: int = 400, answers: Answers | None = None
) -> list[dict[str, Any]]:
    """Alpha with CI for every active dimension (the chart of the review home), cached under the
    same fingerprint as the disagreement queue: it only changes when answers or the taxonomy do."""
    from .queue import review_fingerprint

    if answers is not None:
        return _agreement_overview(bootstrap=bootstrap, answers=answers)
    key = f"{review_fingerprint()}:overview:{bootstrap}"
    cached = cache.get(key)
    if cached is None:
        cached = _agreement_overview(bootstrap=bootstrap, answers=None)
        cache.set(key, cached, 600)
    return cached


def _agreement_overview(*, bootstrap: int, answers: Answers | None) -> list[dict[str, Any]]:
    codebook = review_codebook()
    if answers is None:
        answers = answers_load(dimensions=[d.slug for d in codebook.dimensions])
    return [
        agreement_dimension(dimension=d, bootstrap=bootstrap, codebook=codebook, answers=answers)
        for d in codebook.dimensions
    ]


def _display(value: Any, dimension: Dimension, codebook: ReviewCodebook) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(codebook.label(dimension.slug, v) for v in value)
    if dimension.kind == Dimension.Kind.ORDINAL:
        return str(value)
    return codebook.label(dimension.slug, value)


def _clock(seconds: Any) -> str:
    """Player time as h:mm:ss (or m:ss)."""
    try:
        total = int(float(seconds))
    except (TypeError, ValueError):
        return "?"
    hours, rest = divmod(max(total, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def title_agreement(*, title: Title) -> dict[str, Any]:
    """Every submitted answer to ``title`` side by side, per dimension: disagreement (0..1),
    the consensus proposal (and whether it was a split decision) and the canonical value."""
    codebook = review_codebook()
    taggings = list(
        Tagging.objects.filter(title=title, status=Tagging.Status.SUBMITTED)
        .select_related("tagger")
        .order_by("submitted_at", "id")
    )
    others = list(
        Tagging.objects.filter(title=title)
        .exclude(status=Tagging.Status.SUBMITTED)
        .select_related("tagger")
        .order_by("id")
    )
    answers = Answers(
        tagging_ids=np.asarray([t.pk for t in taggings], dtype=np.int64),
        title_ids=np.full(len(taggings), title.pk, dtype=np.int64),
        tagger_ids=np.asarray([t.tagger_id for t in taggings], dtype=np.int64),
        submitted_at=np.asarray(
            [t.submitted_at.timestamp() if t.submitted_at else 0 for t in taggings]
        ),
        seconds_spent=np.asarray([t.seconds_spent for t in taggings], dtype=np.float64),
        values=[t.values for t in taggings],
    )
    canonical = CanonicalTags.objects.filter(title=title).first()
    canonical_values = canonical.values if canonical else {}
    dimensions: list[dict[str, Any]] = []
    proposal: dict[str, Any] = {}
    weighted, weights = 0.0, 0.0
    for dimension in codebook.dimensions:
        data = dimension_data(
            answers, dimension, tag_slugs=codebook.tag_slugs.get(dimension.slug, [])
        )
        per_row: dict[int, Any] = {}
        for r in data.rows.tolist():
            per_row[r] = taggings[r].values.get(
                dimension.slug, [] if dimension.kind == Dimension.Kind.MULTI else None
            )
        disagreement = None
        split = False
        if data.units.size:
            dis = unit_disagreement(data)
            disagreement = None if np.isnan(dis[0]) else float(dis[0])
            values, splits = consensus_proposal(data)
            if values[0] not in (None, []):
                proposal[dimension.slug] = values[0]
            split = bool(splits[0])
        if disagreement is not None:
            w = codebook.weight(dimension)
            weighted, weights = weighted + w * disagreement, weights + w
        dimensions.append(
            {
                "dimension": dimension,
                "slug": dimension.slug,
                "kind": dimension.kind,
                "answers": [
                    {
                        "tagging_id": t.pk,
                        "tagger": t.tagger.get_username(),
                        "value": per_row.get(r),
                        "display": _display(per_row.get(r), dimension, codebook),
                        "evidence": [
                            {**pin, "at": _clock(pin.get("seconds"))}
                            for pin in (t.evidence or {}).get(dimension.slug, [])
                            if isinstance(pin, dict)
                        ],
                    }
                    for r, t in enumerate(taggings)
                ],
                "disagreement": disagreement,
                "agreement": None if disagreement is None else 1.0 - disagreement,
                "proposal": proposal.get(dimension.slug),
                "proposal_display": _display(proposal.get(dimension.slug), dimension, codebook),
                "split": split,
                "canonical": canonical_values.get(dimension.slug),
                "canonical_display": _display(
                    canonical_values.get(dimension.slug), dimension, codebook
                ),
                "tags": [
                    (s, codebook.label(dimension.slug, s))
                    for s in codebook.tag_slugs.get(dimension.slug, [])
                ],
            }
        )
    return {
        "title": title,
        "taggings": taggings,
        "pending": others,
        "dimensions": dimensions,
        "proposal": proposal,
        "canonical": canonical,
        "score": (weighted / weights) if weights else None,
    }
