"""Krippendorff's alpha, vectorised.

Reliability data arrive in *long* form, one row per pairable-or-not value:
``unit`` (int64, shape (R,)) — which unit (title) the value belongs to, ``value`` (int64, shape
(R,)) — the value's code in a domain of size ``V``. Coders need not be named: alpha only
looks at the values within each unit. Missing data are simply absent rows, and units with a
single value are dropped because their value is not pairable — exactly Krippendorff's rule
(2011, "Computing Krippendorff's Alpha-Reliability", section C).

Everything goes through the *coincidence matrix* ``o[c, k] = Σ_u (# ordered pairs (c, k) in u) /
(m_u − 1)``, built with one ``bincount`` over all within-unit pairs; the pairs themselves are
enumerated by grouping units by their size (a handful of sizes), never by a loop over units.

    α = 1 − D_o / D_e,   D_o = Σ o·δ / n,   D_e = Σ n_c n_k δ(c, k) / (n (n − 1))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# Resampling weights: float32 for large samples (half the memory traffic), float64 otherwise.
WeightArray = npt.NDArray[np.float32] | npt.NDArray[np.float64]
Level = Literal["nominal", "ordinal", "interval", "ratio"]
#: ``delta(n_c) -> (V, V)`` distance matrix; ordinal distances depend on the value marginals.
DeltaFn = Callable[[FloatArray], FloatArray]

DEFAULT_BOOTSTRAP = 1000
# The bootstrap multiplies (B x units) resampling counts by per-unit tables; chunking bounds
# the memory to about CHUNK x units x 8 bytes.
_BOOTSTRAP_CHUNK = 200
_DENSE_MAX_VALUES = 64
_POISSON_FROM = 2000
_POISSON1_CDF = np.cumsum([math.exp(-1) / math.factorial(k) for k in range(10)]).astype(np.float32)
# (P(X >= 10) ~ 1e-7 for Poisson(1): truncating there changes nothing measurable.)


@dataclass(frozen=True)
class Pairs:
    """All ordered within-unit pairs of pairable values (rows ``i`` and ``j`` of the long
    arrays) and their weight ``1 / (m_u − 1)``."""

    i: IntArray
    j: IntArray
    weight: FloatArray
    pairable: npt.NDArray[np.bool_]  # (R,) the rows whose unit holds at least two values


def unit_pairs(unit: IntArray) -> Pairs:
    """Enumerate the ordered pairs of rows sharing a unit, vectorised by unit size."""
    unit = np.asarray(unit, dtype=np.int64)
    if unit.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty, np.zeros(0), np.zeros(0, dtype=bool))
    order = np.argsort(unit, kind="stable")
    sizes = np.bincount(unit)
    starts = np.cumsum(sizes) - sizes
    chunks_i: list[IntArray] = []
    chunks_j: list[IntArray] = []
    chunks_w: list[FloatArray] = []
    for size in np.unique(sizes[sizes >= 2]):
        units = np.flatnonzero(sizes == size)
        rows = order[starts[units][:, None] + np.arange(size)[None, :]]  # (units, size)
        a, b = np.nonzero(~np.eye(size, dtype=bool))  # ordered pairs a != b
        chunks_i.append(rows[:, a].ravel())
        chunks_j.append(rows[:, b].ravel())
        chunks_w.append(np.full(units.size * a.size, 1.0 / (size - 1)))
    pairable = sizes[unit] >= 2
    if not chunks_i:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty, np.zeros(0), pairable)
    return Pairs(
        np.concatenate(chunks_i), np.concatenate(chunks_j), np.concatenate(chunks_w), pairable
    )


def coincidence_matrix(
    unit: IntArray, value: IntArray, n_values: int, pairs: Pairs | None = None
) -> FloatArray:
    """The (V, V) coincidence matrix ``o`` of Krippendorff, via one ``bincount``."""
    pairs = pairs or unit_pairs(unit)
    value = np.asarray(value, dtype=np.int64)
    flat = value[pairs.i] * n_values + value[pairs.j]
    # With weights, bincount already returns float64 (the stubs say int): astype is a no-op.
    o = np.bincount(flat, weights=pairs.weight, minlength=n_values * n_values)
    return o.astype(np.float64, copy=False).reshape(n_values, n_values)


# --- distance functions (δ²) ----------------------------------------------------------------


def delta_nominal(n_values: int) -> DeltaFn:
    matrix = 1.0 - np.eye(n_values)
    return lambda _n_c: matrix


def delta_interval(points: npt.ArrayLike) -> DeltaFn:
    x = np.asarray(points, dtype=np.float64)
    matrix = (x[:, None] - x[None, :]) ** 2
    return lambda _n_c: matrix


def delta_ratio(points: npt.ArrayLike) -> DeltaFn:
    x = np.asarray(points, dtype=np.float64)
    total = x[:, None] + x[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(
            total == 0, 0.0, ((x[:, None] - x[None, :]) / np.where(total == 0, 1, total)) ** 2
        )
    return lambda _n_c: matrix


def ordinal_delta_matrix(n_c: FloatArray) -> FloatArray:
    """Krippendorff's ordinal δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², values in rank order.

    ``n_c`` may carry leading batch axes (…, V); the result is (…, V, V)."""
    cum = np.cumsum(n_c, axis=-1)
    # Σ_{g=c..k} n_g for c <= k is cum[k] − cum[c] + n_c; symmetric in c and k.
    upper = cum[..., None, :] - cum[..., :, None] + n_c[..., :, None]
    between = np.where(
        np.arange(n_c.shape[-1])[:, None] <= np.arange(n_c.shape[-1])[None, :],
        upper,
        np.swapaxes(upper, -1, -2),
    )
    return (between - (n_c[..., :, None] + n_c[..., None, :]) / 2.0) ** 2


def delta_ordinal() -> DeltaFn:
    return ordinal_delta_matrix


def delta_for(level: Level, points: npt.ArrayLike) -> DeltaFn:
    """The δ² of a level of measurement over a domain whose codes 0..V-1 stand for ``points``
    (sorted ascending for ordinal/interval/ratio)."""
    n_values = len(np.asarray(points))
    if level == "nominal":
        return delta_nominal(n_values)
    if level == "ordinal":
        return delta_ordinal()
    if level == "interval":
        return delta_interval(points)
    if level == "ratio":
        return delta_ratio(points)
    raise ValueError(f"unknown level of measurement: {level}")


# --- alpha ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaResult:
    alpha: float  # nan when undefined (fewer than two pairable values, or no variation at all)
    observed_disagreement: float
    expected_disagreement: float
    pairable_values: int
    units: int  # units with at least two values
    ci: tuple[float, float] | None = None


def _alpha_from(
    o_dot_delta: float, n_c: FloatArray, delta: FloatArray
) -> tuple[float, float, float]:
    n = float(n_c.sum())
    if n < 2:
        return float("nan"), float("nan"), float("nan")
    d_o = o_dot_delta / n
    d_e = float(n_c @ delta @ n_c) / (n * (n - 1))
    if d_e <= 0:
        return float("nan"), d_o, d_e
    return 1.0 - d_o / d_e, d_o, d_e


def alpha(
    unit: npt.ArrayLike,
    value: npt.ArrayLike,
    *,
    n_values: int,
    delta: DeltaFn,
    bootstrap: int = 0,
    seed: int = 0,
) -> AlphaResult:
    """Krippendorff's alpha of long-form data; ``bootstrap > 0`` adds a 95 % percentile CI."""
    unit = np.asarray(unit, dtype=np.int64)
    value = np.asarray(value, dtype=np.int64)
    pairs = unit_pairs(unit)
    n_c = np.bincount(value[pairs.pairable], minlength=n_values).astype(np.float64)
    d = delta(n_c)
    # Summing δ over the pairs directly equals Σ o·δ, and stays cheap when V is large (sets).
    o_dot_delta = float(np.dot(pairs.weight, d[value[pairs.i], value[pairs.j]]))
    a, d_o, d_e = _alpha_from(o_dot_delta, n_c, d)
    units = int(np.unique(unit[pairs.pairable]).size)
    ci = None
    if bootstrap > 0 and units >= 2 and not np.isnan(a):
        ci = bootstrap_ci(
            unit, value, n_values=n_values, delta=delta, pairs=pairs, samples=bootstrap, seed=seed
        )
    return AlphaResult(a, d_o, d_e, int(n_c.sum()), units, ci)


def bootstrap_ci(
    unit: IntArray,
    value: IntArray,
    *,
    n_values: int,
    delta: DeltaFn,
    pairs: Pairs | None = None,
    samples: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> tuple[float, float]:
    """95 % percentile interval of alpha over ``samples`` resamplings of the units (with
    replacement). Each replicate is the weighted sum of per-unit tables, computed for all
    replicates at once as a (B x units) @ (units x …) product."""
    pairs = pairs or unit_pairs(unit)
    rng = np.random.default_rng(seed)
    # Re-index the pairable units 0..U-1.
    units, unit_idx = np.unique(unit[pairs.pairable], return_inverse=True)
    n_units = units.size
    remap = np.full(int(unit.max()) + 1, -1, dtype=np.int64)
    remap[units] = np.arange(n_units)
    pv = value[pairs.pairable]
    counts = sparse.csr_matrix(
        (np.ones(pv.size), (unit_idx, pv)), shape=(n_units, n_values)
    )  # per-unit value counts
    pair_unit = remap[unit[pairs.i]]
    vi, vj = value[pairs.i], value[pairs.j]
    # Only ordinal distances move with the marginals; the others are one fixed matrix, which
    # keeps large domains (sets) cheap.
    fixed = delta is not ordinal_delta_matrix
    if fixed:
        d = delta(np.ones(n_values))
        per_unit = np.bincount(pair_unit, weights=pairs.weight * d[vi, vj], minlength=n_units)
    else:
        per_unit_o = sparse.csr_matrix(
            (pairs.weight, (pair_unit, vi * n_values + vj)), shape=(n_units, n_values * n_values)
        )
    if fixed:
        n_c_full = np.asarray(counts.sum(axis=0)).ravel()
        n_full = n_c_full.sum()
        d_e_full = float(n_c_full @ d @ n_c_full) / (n_full * (n_full - 1))
    if n_values <= _DENSE_MAX_VALUES:
        # float32 tables when the weights are float32 (large samples): half the memory traffic.
        dtype = np.float32 if n_units >= _POISSON_FROM else np.float64
        counts = counts.toarray().astype(dtype)
        if not fixed:
            per_unit_o = per_unit_o.toarray().astype(dtype)
    alphas: list[FloatArray] = []
    for start in range(0, samples, _BOOTSTRAP_CHUNK):
        b = min(_BOOTSTRAP_CHUNK, samples - start)
        w = _resample_counts(rng, b, n_units)
        n_b = _rows_times(w, counts)  # (b, V) resampled marginals
        n = n_b.sum(axis=1)
        if fixed:
            o_dot = (w @ per_unit.astype(w.dtype, copy=False)).astype(np.float64)
        if fixed and n_values > _DENSE_MAX_VALUES:
            # Large domains (sets): hold the expected disagreement at its full-sample value,
            # as Hayes & Krippendorff's bootstrap does; (B x V) @ (V x V) would dominate.
            expected = d_e_full * n * (n - 1)
        elif fixed:
            expected = np.einsum("bi,bi->b", n_b @ d, n_b)
        else:
            o_b = _rows_times(w, per_unit_o).reshape(b, n_values, n_values)
            d_b = delta_batch(delta, n_b)
            o_dot = np.einsum("bij,bij->b", o_b, d_b)
            expected = np.einsum("bi,bij,bj->b", n_b, d_b, n_b)
        with np.errstate(invalid="ignore", divide="ignore"):
            alphas.append(1.0 - (o_dot / n) / (expected / (n * (n - 1))))
    values = np.concatenate(alphas)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (float("nan"), float("nan"))
    lo, hi = np.percentile(values, [2.5, 97.5])
    return (float(lo), float(hi))


def _resample_counts(rng: np.random.Generator, samples: int, n_units: int) -> WeightArray:
    """(samples, n_units) how often each unit is drawn in each resample of n_units draws.

    From ``_POISSON_FROM`` units on, the counts are independent Poisson(1) draws (the
    "Poisson bootstrap", Hanley & MacGibbon 2006): the same distribution as the multinomial
    in the large-n limit, and twice as fast as drawing indices and counting them."""
    if n_units >= _POISSON_FROM:
        # Inverse-CDF sampling from float32 uniforms: cheaper than rng.poisson per draw.
        uniform = rng.random(size=(samples, n_units), dtype=np.float32)
        counts = np.zeros((samples, n_units), dtype=np.float32)
        for threshold in _POISSON1_CDF:  # count = number of CDF steps below the uniform
            counts += uniform >= threshold
        return counts
    draws = rng.integers(0, n_units, size=(samples, n_units), dtype=np.int64)
    draws += (np.arange(samples, dtype=np.int64) * n_units)[:, None]
    drawn = np.bincount(draws.ravel(), minlength=samples * n_units)
    return drawn.reshape(samples, n_units).astype(np.float64)


def _rows_times(w: WeightArray, table: FloatArray | sparse.csr_matrix) -> FloatArray:
    """(B, U) @ (U, K) in the resampling weights' precision, returned as float64."""
    if sparse.issparse(table):
        return np.asarray((table.T @ w.T).T, dtype=np.float64)
    return (w @ table.astype(w.dtype, copy=False)).astype(np.float64)


def delta_batch(delta: DeltaFn, n_b: FloatArray) -> FloatArray:
    """δ² for each row of marginals ``n_b`` (B, V) -> (B, V, V)."""
    if delta is ordinal_delta_matrix:
        return ordinal_delta_matrix(n_b)
    fixed = delta(n_b[0])
    return np.broadcast_to(fixed, (n_b.shape[0], *fixed.shape))


# --- multi-select ---------------------------------------------------------------------------


def per_tag_binary_alpha(unit: npt.ArrayLike, chosen: npt.ArrayLike) -> FloatArray:
    """Nominal alpha of "tag t applies" for every tag at once.

    ``unit`` (R,) and ``chosen`` (R, T) booleans: row r is one coder's answer to the unit.
    For a binary variable the coincidence matrix reduces to counts: with ``a`` coders of
    ``m`` choosing the tag in a unit, 2·a·(m−a)/(m−1) disagreeing pairs, so
    α_t = 1 − (n − 1) Σ_u 2 a (m − a)/(m − 1) / (2 n₁ n₀).  Returns (T,), nan when undefined.
    """
    row_unit: IntArray = np.asarray(unit, dtype=np.int64)
    row_chosen: npt.NDArray[np.bool_] = np.asarray(chosen, dtype=bool)
    if row_unit.size == 0:
        return np.full(row_chosen.shape[1] if row_chosen.ndim == 2 else 0, np.nan)
    m = np.bincount(row_unit)
    keep = m[row_unit] >= 2
    row_unit, row_chosen = row_unit[keep], row_chosen[keep]
    n_units = int(m.size)
    selector = sparse.csr_matrix(
        (np.ones(row_unit.size), (row_unit, np.arange(row_unit.size))),
        shape=(n_units, row_unit.size),
    )
    a = np.asarray(selector @ row_chosen.astype(np.float64))  # (U, T) coders choosing t per unit
    mu = m.astype(np.float64)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        disagreeing = np.where(mu >= 2, 2.0 * a * (mu - a) / np.maximum(mu - 1, 1), 0.0).sum(axis=0)
    n = float(row_unit.size)
    n1 = row_chosen.sum(axis=0).astype(np.float64)
    n0 = n - n1
    with np.errstate(invalid="ignore", divide="ignore"):
        result = 1.0 - (n - 1) * disagreeing / (2.0 * n1 * n0)
    return np.where(n1 * n0 > 0, result, np.nan)


def set_distance_matrix(
    indicator: npt.ArrayLike, metric: Literal["masi", "jaccard"] = "masi"
) -> FloatArray:
    """δ between every pair of distinct sets; ``indicator`` (K, T) marks the tags of each set.

    Jaccard distance 1 − |A∩B|/|A∪B|; MASI (Passonneau 2006) multiplies the Jaccard
    similarity by 1, 2/3, 1/3 or 0 for identical, nested, overlapping or disjoint sets. Two
    empty sets are identical (distance 0). Used as δ directly (not squared), as Passonneau
    does for alpha.
    """
    x = np.asarray(indicator, dtype=np.float64)
    inter = x @ x.T
    size = x.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union == 0, 1.0, inter / np.where(union == 0, 1, union))
    if metric == "jaccard":
        return 1.0 - jaccard
    same = (inter == size[:, None]) & (inter == size[None, :])
    nested = (inter == size[:, None]) | (inter == size[None, :])
    monotonicity = np.where(same, 1.0, np.where(nested, 2 / 3, np.where(inter > 0, 1 / 3, 0.0)))
    return 1.0 - jaccard * monotonicity
