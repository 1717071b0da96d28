"""Title vectors from canonical tags.

A feature is one select tag (multi-select, single-select, boolean "yes") or one ordinal
dimension. Select features are IDF-weighted (a rare tag such as "irreverent" says more than
"drama"), ordinal levels are scaled to 0..1 times ``ORDINAL_SCALE``, every feature is multiplied
by its dimension's weight, and rows are L2-normalised so a dot product is a cosine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

MULTI, SINGLE, ORDINAL, BOOLEAN = "multi", "single", "ordinal", "boolean"
SELECT_KINDS = (MULTI, SINGLE, BOOLEAN)
#: Ordinal levels count for less than a shared tag: "both violence 3" is weak evidence of taste.
ORDINAL_SCALE = 0.5
MAX_LEVEL = 5
#: Level code for "not tagged" in maturity arrays (exclusions treat it as over any limit).
UNKNOWN_LEVEL = -1
#: The dimension whose tags name list rows and drive the diversity caps.
GROUP_DIMENSION = "genre"


@dataclass(frozen=True)
class TagSpec:
    slug: str
    label: str


@dataclass(frozen=True)
class DimensionSpec:
    slug: str
    kind: str
    label: str
    weight: float = 1.0
    is_maturity: bool = False
    tags: tuple[TagSpec, ...] = ()


@dataclass(frozen=True)
class Feature:
    dimension: str
    kind: str
    tag: str | None  # None for an ordinal dimension's single feature
    label: str


@dataclass
class FeatureSpace:
    """The columns of the title matrix, and which of them are maturity or group dimensions."""

    dimensions: list[DimensionSpec]
    features: list[Feature]
    index: dict[tuple[str, str | None], int]
    maturity_dims: list[str]

    @classmethod
    def build(cls, dimensions: Sequence[DimensionSpec]) -> FeatureSpace:
        features: list[Feature] = []
        for dim in dimensions:
            if dim.kind == ORDINAL:
                features.append(Feature(dim.slug, ORDINAL, None, dim.label))
            elif dim.kind == BOOLEAN:
                features.append(Feature(dim.slug, BOOLEAN, "yes", dim.label))
            else:
                features.extend(Feature(dim.slug, dim.kind, t.slug, t.label) for t in dim.tags)
        index = {(f.dimension, f.tag): i for i, f in enumerate(features)}
        # Every ordinal dimension can carry a subscriber limit (violence, sex and language are
        # the ones the profile page offers); the arrays cost little.
        maturity = [d.slug for d in dimensions if d.kind == ORDINAL]
        return cls(list(dimensions), features, index, maturity)

    @property
    def n_features(self) -> int:
        return len(self.features)

    def group_features(self) -> np.ndarray:
        """Feature indices of the group (genre) dimension, int32."""
        return np.array(
            [i for i, f in enumerate(self.features) if f.dimension == GROUP_DIMENSION],
            dtype=np.int32,
        )


@dataclass
class TitleVectors:
    """``matrix`` (n_titles, n_features) float32 CSR, L2-normalised rows; ``raw`` the same
    pattern before weighting (1 for a tag, level/5 for ordinals); ``maturity`` (n_titles,
    n_maturity) int8 levels with ``UNKNOWN_LEVEL`` for untagged."""

    space: FeatureSpace
    raw: sp.csr_matrix
    matrix: sp.csr_matrix
    maturity: np.ndarray
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    _dense: np.ndarray | None = field(default=None, repr=False)

    def dense(self, max_entries: int = 64 * 2**20) -> np.ndarray | None:
        """The matrix as a dense (T, F) float32 array (cached), or None when too large."""
        if self._dense is None and self.matrix.shape[0] * self.matrix.shape[1] <= max_entries:
            self._dense = np.asarray(self.matrix.todense(), dtype=np.float32)
        return self._dense

    @property
    def n_titles(self) -> int:
        return int(self.matrix.shape[0])

    def groups(self) -> sp.csr_matrix:
        """(n_titles, n_groups) bool: which genres each title has."""
        cols = self.space.group_features()
        return (self.raw[:, cols] > 0).astype(np.bool_).tocsr()


def encode_titles(
    values: Sequence[Mapping[str, Any]], space: FeatureSpace
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Raw feature matrix (n_titles, n_features) float32 and maturity levels (n_titles, M) int8
    from canonical values dicts. Unknown dimensions or tags (retired since) are ignored."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    maturity = np.full((len(values), len(space.maturity_dims)), UNKNOWN_LEVEL, dtype=np.int8)
    maturity_col = {slug: j for j, slug in enumerate(space.maturity_dims)}
    kinds = {d.slug: d.kind for d in space.dimensions}
    index = space.index
    for i, title_values in enumerate(values):
        for slug, value in title_values.items():
            kind = kinds.get(slug)
            if kind is None:
                continue
            if kind == ORDINAL:
                if isinstance(value, bool) or not isinstance(value, int):
                    continue
                level = min(max(int(value), 0), MAX_LEVEL)
                rows.append(i)
                cols.append(index[(slug, None)])
                vals.append(level / MAX_LEVEL)
                if slug in maturity_col:
                    maturity[i, maturity_col[slug]] = level
            elif kind == BOOLEAN:
                if value is True:
                    rows.append(i)
                    cols.append(index[(slug, "yes")])
                    vals.append(1.0)
            else:
                for tag in [value] if isinstance(value, str) else value:
                    j = index.get((slug, tag))
                    if j is not None:
                        rows.append(i)
                        cols.append(j)
                        vals.append(1.0)
    raw = sp.csr_matrix(
        (np.asarray(vals, np.float32), (np.asarray(rows, np.int64), np.asarray(cols, np.int64))),
        shape=(len(values), space.n_features),
        dtype=np.float32,
    )
    raw.sum_duplicates()
    raw.data = np.minimum(raw.data, 1.0)
    return raw, maturity


def inverse_document_frequency(raw: sp.csr_matrix, space: FeatureSpace) -> np.ndarray:
    """(n_features,) float32: smoothed IDF ``log((1+N)/(1+df)) + 1`` for select features, 1 for
    ordinals (a level is not a rarity)."""
    n = raw.shape[0]
    df = np.bincount(raw.indices, minlength=space.n_features).astype(np.float64)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    for j, feature in enumerate(space.features):
        if feature.kind == ORDINAL:
            idf[j] = 1.0
    return idf.astype(np.float32)


def feature_weights(space: FeatureSpace, idf: np.ndarray) -> np.ndarray:
    """(n_features,) float32: IDF times dimension weight (times ``ORDINAL_SCALE`` for ordinals)."""
    weight_of = {d.slug: d.weight for d in space.dimensions}
    w = np.array([weight_of[f.dimension] for f in space.features], dtype=np.float32)
    ordinal = np.array([f.kind == ORDINAL for f in space.features], dtype=bool)
    w[ordinal] *= ORDINAL_SCALE
    return (w * idf).astype(np.float32)


def normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """L2-normalise the rows of a CSR matrix (empty rows stay empty)."""
    matrix = matrix.tocsr().astype(np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ matrix, dtype=np.float32)


def title_vectors(
    raw: sp.csr_matrix, maturity: np.ndarray, space: FeatureSpace, idf: np.ndarray | None = None
) -> TitleVectors:
    """Weight and normalise a raw matrix. Pass ``idf`` to keep a previous build's weights (the
    incremental path does, so one title's change does not shift every other title)."""
    if idf is None:
        idf = inverse_document_frequency(raw, space)
    weighted = sp.csr_matrix(raw @ sp.diags(feature_weights(space, idf)), dtype=np.float32)
    return TitleVectors(space, raw.tocsr(), normalise_rows(weighted), maturity, idf)


def build_title_vectors(
    values: Sequence[Mapping[str, Any]], dimensions: Sequence[DimensionSpec]
) -> TitleVectors:
    space = FeatureSpace.build(dimensions)
    raw, maturity = encode_titles(values, space)
    return title_vectors(raw, maturity, space)


def replace_title_rows(
    vectors: TitleVectors, rows: np.ndarray, values: Sequence[Mapping[str, Any]]
) -> TitleVectors:
    """A copy of ``vectors`` with the titles at ``rows`` re-encoded from ``values`` (same IDF)."""
    raw_new, maturity_new = encode_titles(values, vectors.space)
    # Rebuilt from the CSR arrays (a LIL round trip of the whole matrix took ~0.1 s a change).
    old = vectors.raw.tocsr()
    rows = np.asarray(rows, dtype=np.int64)
    counts = np.diff(old.indptr)
    counts[rows] = np.diff(raw_new.indptr)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    indices = np.empty(indptr[-1], old.indices.dtype)
    data = np.empty(indptr[-1], np.float32)
    keep = np.ones(old.shape[0], bool)
    keep[rows] = False
    src = np.repeat(keep, np.diff(old.indptr))
    dst = np.repeat(keep, counts)
    indices[dst], data[dst] = old.indices[src], old.data[src]
    for i, r in enumerate(rows):
        a, b = raw_new.indptr[i], raw_new.indptr[i + 1]
        indices[indptr[r] : indptr[r + 1]] = raw_new.indices[a:b]
        data[indptr[r] : indptr[r + 1]] = raw_new.data[a:b]
    raw = sp.csr_matrix((data, indices, indptr), shape=old.shape)
    maturity = vectors.maturity.copy()
    maturity[rows] = maturity_new
    return title_vectors(raw, maturity, vectors.space, idf=vectors.idf)
