"""Figures over one dimension's long-form data (``DimensionData``): alpha with its CI and per-tag
alphas, each title's disagreement, the consensus proposal, similarity of each answer to a
reference, the tagger x tagger matrix, severity bias and drift. All vectorised with numpy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from .core import DEFAULT_BOOTSTRAP, alpha, per_tag_binary_alpha, unit_pairs
from .data import ORDINAL_LEVELS, DimensionData

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DAY = 86_400.0


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 4)


def dimension_alpha(
    data: DimensionData, *, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0
) -> dict[str, Any]:
    """Alpha at the dimension's level (the set alpha for multi-select) with a bootstrap CI, and
    for multi-select the binary alpha of every tag."""
    result = alpha(
        data.unit,
        data.value,
        n_values=data.n_values,
        delta=data.delta(),
        bootstrap=bootstrap,
        seed=seed,
    )
    out: dict[str, Any] = {
        "alpha": _finite(result.alpha),
        "ci": [_finite(result.ci[0]), _finite(result.ci[1])] if result.ci else None,
        "units": result.units,
        "pairable_values": result.pairable_values,
        "observed_disagreement": _finite(result.observed_disagreement),
        "expected_disagreement": _finite(result.expected_disagreement),
    }
    if data.level == "set":
        assert data.chosen is not None
        per_tag = per_tag_binary_alpha(data.unit, data.chosen)
        out["set_alpha"] = out["alpha"]
        out["set_distance"] = data.set_metric
        out["per_tag"] = {slug: _finite(a) for slug, a in zip(data.tags, per_tag, strict=True)}
    return out


def unit_sizes(data: DimensionData) -> IntArray:
    return np.bincount(data.unit, minlength=data.units.size).astype(np.int64)


def unit_disagreement(data: DimensionData) -> FloatArray:
    """(U,) mean distance (0..1) over the ordered pairs of answers of each title; nan below two."""
    pairs = unit_pairs(data.unit)
    d = data.unit_distance()
    per_pair = d[data.value[pairs.i], data.value[pairs.j]] * pairs.weight  # weight = 1/(m-1)
    sums = np.bincount(data.unit[pairs.i], weights=per_pair, minlength=data.units.size)
    m = unit_sizes(data).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m >= 2, sums / m, np.nan)


def unit_medians(data: DimensionData) -> FloatArray:
    """(U,) median level of each title's answers (ordinal dimensions)."""
    levels = np.asarray(data.domain, dtype=np.float64)[data.value]
    order = np.lexsort((levels, data.unit))
    sorted_levels = levels[order]
    m = unit_sizes(data)
    starts = np.cumsum(m) - m
    return (sorted_levels[starts + (m - 1) // 2] + sorted_levels[starts + m // 2]) / 2.0


def unit_tag_counts(data: DimensionData) -> FloatArray:
    """(U, T) how many answers of each title chose each tag (multi-select)."""
    assert data.chosen is not None
    n = data.unit.size
    selector = sparse.csr_matrix(
        (np.ones(n), (data.unit, np.arange(n))), shape=(data.units.size, n)
    )
    return np.asarray(selector @ data.chosen.astype(np.float64))


def consensus_proposal(data: DimensionData) -> tuple[list[Any], npt.NDArray[np.bool_]]:
    """Each title's proposed value and whether the answers were split (a tie the editor should
    look at): median for ordinal (a half level rounds up, to the stricter level), majority for
    nominal, per-tag strict majority for multi-select."""
    n_units = data.units.size
    if n_units == 0:
        return [], np.zeros(0, dtype=bool)
    m = unit_sizes(data)
    if data.level == "ordinal":
        medians = unit_medians(data)
        return [math.ceil(x) for x in medians], medians != np.floor(medians)
    if data.level == "set":
        tag_counts = unit_tag_counts(data)
        keep = tag_counts * 2 > m[:, None]
        split = (tag_counts * 2 == m[:, None]) & (tag_counts > 0)
        tags = np.asarray(data.tags, dtype=object)
        return [sorted(tags[row].tolist()) for row in keep], split.any(axis=1)
    counts = np.bincount(data.unit * data.n_values + data.value, minlength=n_units * data.n_values)
    counts = counts.reshape(n_units, data.n_values)
    best = counts.argmax(axis=1)
    split = (counts == counts.max(axis=1, keepdims=True)).sum(axis=1) > 1
    return [data.domain[b] for b in best], split


def row_similarity(data: DimensionData, reference: list[Any]) -> FloatArray:
    """(N,) 1 − distance (0..1) of each answer to its title's reference value (``reference``
    indexed by unit; None where the title has none) -> nan there."""
    n = data.unit.size
    has = np.asarray([r is not None for r in reference], dtype=bool)
    if n == 0:
        return np.zeros(0)
    row_has = has[data.unit]
    if data.level == "ordinal":
        ref = np.asarray([r if r is not None else np.nan for r in reference], dtype=np.float64)
        levels = np.asarray(data.domain, dtype=np.float64)[data.value]
        sim = 1.0 - np.abs(levels - ref[data.unit]) / (ORDINAL_LEVELS[-1] - ORDINAL_LEVELS[0])
    elif data.level == "set":
        assert data.chosen is not None
        index = {s: i for i, s in enumerate(data.tags)}
        ref_ind = np.zeros((len(reference), len(data.tags)), dtype=bool)
        for u, r in enumerate(reference):
            for slug in r or ():
                if slug in index:
                    ref_ind[u, index[slug]] = True
        a, b = data.chosen, ref_ind[data.unit]
        inter = (a & b).sum(axis=1).astype(np.float64)
        sa, sb = a.sum(axis=1), b.sum(axis=1)
        union = sa + sb - inter
        jaccard = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
        if data.set_metric == "jaccard":
            sim = jaccard
        else:
            same = (inter == sa) & (inter == sb)
            nested = (inter == sa) | (inter == sb)
            mono = np.where(same, 1.0, np.where(nested, 2 / 3, np.where(inter > 0, 1 / 3, 0.0)))
            sim = jaccard * mono
    else:
        index = {v: i for i, v in enumerate(data.domain)}
        ref_code = np.asarray(
            [index.get(r, -1) if r is not None else -1 for r in reference], dtype=np.int64
        )
        sim = (data.value == ref_code[data.unit]).astype(np.float64)
    return np.where(row_has, sim, np.nan)


def per_coder_mean(data: DimensionData, x: FloatArray) -> tuple[FloatArray, IntArray]:
    """Mean of ``x`` (N,) per coder ignoring nan -> ((C,), counts (C,))."""
    ok = np.isfinite(x)
    c = data.coders.size
    sums = np.bincount(data.coder[ok], weights=x[ok], minlength=c)
    counts = np.bincount(data.coder[ok], minlength=c).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan), counts


def severity_bias(data: DimensionData, reference_levels: FloatArray) -> tuple[FloatArray, IntArray]:
    """(C,) mean signed gap (tagger's level − reference level) on an ordinal dimension, where
    the reference is per unit (the canonical level, else the median of the title's answers)."""
    levels = np.asarray(data.domain, dtype=np.float64)[data.value]
    return per_coder_mean(data, levels - reference_levels[data.unit])


def pairwise_alpha(data: DimensionData) -> tuple[FloatArray, IntArray]:
    """(C, C) alpha of each pair of taggers over the titles both answered, and the (C, C)
    number of such titles. The loop runs over tagger pairs; each alpha is vectorised."""
    c, u = data.coders.size, data.units.size
    matrix = np.full((u, c), -1, dtype=np.int64)
    matrix[data.unit, data.coder] = data.value
    present = matrix >= 0
    overlap = present.T.astype(np.int64) @ present.astype(np.int64)
    result = np.full((c, c), np.nan)
    delta = data.delta()
    for a in range(c):
        for b in range(a + 1, c):
            both = np.flatnonzero(present[:, a] & present[:, b])
            if both.size < 2:
                continue
            units = np.concatenate([both, both])
            values = np.concatenate([matrix[both, a], matrix[both, b]])
            res = alpha(units, values, n_values=data.n_values, delta=delta)
            result[a, b] = result[b, a] = res.alpha
    np.fill_diagonal(result, 1.0)
    return result, overlap


def drift(
    coder: IntArray,
    n_coders: int,
    x: FloatArray,
    submitted_at: FloatArray,
    *,
    window_days: int = 14,
    points: int = 12,
    step_days: int = 7,
    end: float | None = None,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Rolling mean of ``x`` (N,) per coder over ``window_days`` ending at ``points`` dates
    ``step_days`` apart (the last at ``end``). Returns (dates (P,) Unix seconds, means (C, P),
    counts (C, P)); nan where a window is empty. Day sums via bincount, windows via cumsum."""
    ok = np.isfinite(x)
    end = float(end if end is not None else (submitted_at.max() if submitted_at.size else 0.0))
    end_day = math.floor(end / DAY)
    first_day = end_day - (points - 1) * step_days - window_days + 1
    day = np.floor(submitted_at / DAY).astype(np.int64) - first_day
    span = end_day - first_day + 1
    keep = ok & (day >= 0) & (day < span)
    c = n_coders
    flat = coder[keep] * span + day[keep]
    sums = np.bincount(flat, weights=x[keep], minlength=c * span).reshape(c, span)
    counts = np.bincount(flat, minlength=c * span).reshape(c, span)
    cs = np.concatenate([np.zeros((c, 1)), np.cumsum(sums, axis=1)], axis=1)
    cc = np.concatenate([np.zeros((c, 1), dtype=np.int64), np.cumsum(counts, axis=1)], axis=1)
    ends = np.arange(points) * step_days + window_days  # exclusive end index into cumsums
    win_sum = cs[:, ends] - cs[:, ends - window_days]
    win_n = cc[:, ends] - cc[:, ends - window_days]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(win_n > 0, win_sum / np.maximum(win_n, 1), np.nan)
    dates = (first_day + ends - 1).astype(np.float64) * DAY
    return dates, means, win_n.astype(np.int64)
