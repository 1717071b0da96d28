"""Figures per tagger: the pairwise agreement matrix of one dimension, agreement with the
consensus, severity bias on ordinal scales, drift over a rolling window, calibration accuracy
and throughput."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import CanonicalTags, Dimension

from ..review_models import CalibrationAnswer
from ..services.agreement.data import Answers, DimensionData, answers_load, dimension_data
from ..services.agreement.stats import (
    consensus_proposal,
    drift,
    pairwise_alpha,
    per_coder_mean,
    row_similarity,
    severity_bias,
    unit_medians,
    unit_sizes,
)
from .common import ReviewCodebook, review_codebook


@dataclass
class TaggerReport:
    taggers: list[dict[str, Any]]
    dimension: Dimension | None
    pairwise: dict[str, Any]
    bias_dimensions: list[str]
    drift: dict[str, Any]
    calibration_titles: int
    codebook: ReviewCodebook
    notes: list[str] = field(default_factory=list)


def _canonical_reference(
    data: DimensionData, canonical: dict[int, dict[str, Any]], proposal: list[Any]
) -> list[Any]:
    """Per unit: the canonical value when the title has one, else the proposal when at least two
    taggers answered, else None."""
    sizes = unit_sizes(data)
    slug = data.dimension.slug
    out: list[Any] = []
    for u, title_id in enumerate(data.units.tolist()):
        value = canonical.get(title_id, {}).get(slug)
        if value is None and sizes[u] >= 2:
            value = proposal[u]
        out.append(value)
    return out


def tagger_report(
    *,
    dimension_slug: str = "",
    window_days: int = 28,
    drift_points: int = 12,
    since: datetime | None = None,
) -> TaggerReport:
    codebook = review_codebook()
    answers = answers_load(since=since, dimensions=[d.slug for d in codebook.dimensions])
    users = {
        u.pk: u.get_username()
        for u in get_user_model().objects.filter(pk__in=np.unique(answers.tagger_ids).tolist())
    }
    canonical = (
        dict(
            CanonicalTags.objects.filter(
                title_id__in=np.unique(answers.title_ids).tolist()
            ).values_list("title_id", "values")
        )
        if len(answers)
        else {}
    )
    tagger_ids = sorted(users)
    position = {pk: i for i, pk in enumerate(tagger_ids)}
    n = len(tagger_ids)
    sim_sum, sim_n = np.zeros(n), np.zeros(n)
    bias: dict[str, np.ndarray] = {}
    bias_n: dict[str, np.ndarray] = {}
    row_sims_sum = np.zeros(len(answers))
    row_sims_n = np.zeros(len(answers))
    chosen = codebook.by_slug(dimension_slug) or next(
        (d for d in codebook.dimensions if d.kind == Dimension.Kind.ORDINAL),
        codebook.dimensions[0] if codebook.dimensions else None,
    )
    pair_matrix = np.full((n, n), np.nan)
    pair_n = np.zeros((n, n), dtype=np.int64)
    for dimension in codebook.dimensions:
        data = dimension_data(
            answers, dimension, tag_slugs=codebook.tag_slugs.get(dimension.slug, [])
        )
        if data.units.size == 0:
            continue
        proposal, _split = consensus_proposal(data)
        reference = _canonical_reference(data, canonical, proposal)
        sims = row_similarity(data, reference)
        mean, counts = per_coder_mean(data, sims)
        idx = np.asarray([position[int(c)] for c in data.coders], dtype=np.int64)
        sim_sum[idx] += np.nan_to_num(mean) * counts
        sim_n[idx] += counts
        ok = np.isfinite(sims)
        np.add.at(row_sims_sum, data.rows[ok], sims[ok])
        np.add.at(row_sims_n, data.rows[ok], 1)
        if dimension.kind == Dimension.Kind.ORDINAL:
            medians = unit_medians(data)
            sizes = unit_sizes(data)
            ref_levels = np.asarray(
                [
                    float(canonical.get(t, {}).get(dimension.slug, np.nan))
                    if dimension.slug in canonical.get(t, {})
                    else (medians[u] if sizes[u] >= 2 else np.nan)
                    for u, t in enumerate(data.units.tolist())
                ]
            )
            b, bn = severity_bias(data, ref_levels)
            full, full_n = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
            full[idx], full_n[idx] = b, bn
            bias[dimension.slug], bias_n[dimension.slug] = full, full_n
        if chosen is not None and dimension.pk == chosen.pk:
            matrix, overlap = pairwise_alpha(data)
            pair_matrix[np.ix_(idx, idx)] = matrix
            pair_n[np.ix_(idx, idx)] = overlap
    # Drift: each answer's mean similarity to consensus over all its dimensions, rolling window.
    with np.errstate(invalid="ignore", divide="ignore"):
        per_answer = np.where(row_sims_n > 0, row_sims_sum / np.maximum(row_sims_n, 1), np.nan)
    drift_data = _drift(
        answers, per_answer, tagger_ids, window_days=window_days, points=drift_points
    )
    calibration = _calibration(answers, codebook, tagger_ids)
    taggers = []
    for i, pk in enumerate(tagger_ids):
        taggers.append(
            {
                "id": pk,
                "username": users[pk],
                "answers": int((answers.tagger_ids == pk).sum()),
                "consensus": float(sim_sum[i] / sim_n[i]) if sim_n[i] else None,
                "bias": {
                    slug: (None if not np.isfinite(v[i]) else float(v[i]), int(bias_n[slug][i]))
                    for slug, v in bias.items()
                },
                "calibration": calibration.get(pk),
            }
        )
    return TaggerReport(
        taggers=taggers,
        dimension=chosen,
        pairwise={"labels": [users[pk] for pk in tagger_ids], "alpha": pair_matrix, "n": pair_n},
        bias_dimensions=list(bias),
        drift=drift_data,
        calibration_titles=CalibrationAnswer.objects.filter(active=True).count(),
        codebook=codebook,
    )


def _drift(
    answers: Answers,
    per_answer: np.ndarray,
    tagger_ids: list[int],
    *,
    window_days: int,
    points: int,
) -> dict[str, Any]:
    if len(answers) == 0:
        return {"dates": [], "series": {}}
    coders = np.searchsorted(np.asarray(tagger_ids), answers.tagger_ids)
    dates, means, counts = drift(
        coders.astype(np.int64),
        len(tagger_ids),
        per_answer,
        answers.submitted_at,
        window_days=window_days,
        points=points,
        step_days=max(1, window_days // 4),
        end=timezone.now().timestamp(),
    )
    return {
        "dates": [datetime.fromtimestamp(d, tz=UTC) for d in dates],
        "series": {
            pk: [None if not np.isfinite(v) else float(v) for v in means[i]]
            for i, pk in enumerate(tagger_ids)
        },
        "counts": {pk: counts[i].tolist() for i, pk in enumerate(tagger_ids)},
        "window_days": window_days,
    }


def _calibration(
    answers: Answers, codebook: ReviewCodebook, tagger_ids: list[int]
) -> dict[int, dict[str, Any]]:
    """Mean similarity (0..1) of each tagger's answers on calibration titles to the editor's
    reference, over the dimensions the reference answers."""
    references = dict(
        CalibrationAnswer.objects.filter(active=True).values_list("title_id", "values")
    )
    if not references or len(answers) == 0:
        return {}
    keep = np.isin(answers.title_ids, list(references))
    if not keep.any():
        return {}
    sub = Answers(
        tagging_ids=answers.tagging_ids[keep],
        title_ids=answers.title_ids[keep],
        tagger_ids=answers.tagger_ids[keep],
        submitted_at=answers.submitted_at[keep],
        seconds_spent=answers.seconds_spent[keep],
        values=[v for v, k in zip(answers.values, keep, strict=True) if k],
    )
    total: dict[int, list[float]] = {}
    for dimension in codebook.dimensions:
        data = dimension_data(sub, dimension, tag_slugs=codebook.tag_slugs.get(dimension.slug, []))
        if data.units.size == 0:
            continue
        reference = [references.get(int(t), {}).get(dimension.slug) for t in data.units]
        if dimension.kind == Dimension.Kind.MULTI:
            reference = [
                r
                if r is not None
                else ([] if dimension.slug in references.get(int(t), {}) else None)
                for r, t in zip(reference, data.units, strict=True)
            ]
        sims = row_similarity(data, reference)
        for coder, s in zip(data.coder.tolist(), sims.tolist(), strict=True):
            if np.isfinite(s):
                total.setdefault(int(data.coders[coder]), []).append(s)
    titles = {pk: int(np.unique(sub.title_ids[sub.tagger_ids == pk]).size) for pk in tagger_ids}
    return {
        pk: {"accuracy": float(np.mean(v)), "answers": len(v), "titles": titles.get(pk, 0)}
        for pk, v in total.items()
    }


def tagger_throughput(*, days: int = 28) -> list[dict[str, Any]]:
    """Per tagger over the last ``days``: titles submitted, titles per active day, median
    minutes per title (from the time the tag page measured)."""
    since = timezone.now() - timedelta(days=days)
    answers = answers_load(since=since, dimensions=[])
    users = dict(
        get_user_model().objects.filter(groups__name="tagger").values_list("pk", "username")
    )
    rows = []
    for pk, name in sorted(users.items(), key=lambda kv: kv[1]):
        mine = answers.tagger_ids == pk
        n = int(mine.sum())
        active_days = int(np.unique(np.floor(answers.submitted_at[mine] / 86400)).size) if n else 0
        rows.append(
            {
                "id": pk,
                "username": name,
                "titles": n,
                "per_day": n / active_days if active_days else 0.0,
                "active_days": active_days,
                "median_minutes": float(np.median(answers.seconds_spent[mine]) / 60) if n else None,
            }
        )
    return rows
