"""Which tags do taggers mix up on the same title? For every pair of answers to a title, each tag
one chose and the other did not is paired with each tag the other chose and the first did not
(quirky on one side, irreverent on the other). Counted for all pairs at once as a matrix
product of the (pairs x tags) "only here" indicators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .core import unit_pairs
from .data import DimensionData


@dataclass(frozen=True)
class Confusion:
    tag_a: str
    tag_b: str
    count: int  # titles x tagger pairs where one chose a (not b) and the other b (not a)
    titles_with_either: int
    rate: float  # count / titles_with_either


def confusion_pairs(data: DimensionData, *, top: int = 20, min_count: int = 1) -> list[Confusion]:
    if (
        data.level not in {"set", "nominal"}
        or data.unit.size == 0
        or isinstance(data.domain[0], bool)
    ):
        return []
    if data.level == "set":
        assert data.chosen is not None
        chosen, tags = data.chosen, list(data.tags)
    else:
        tags = [str(v) for v in data.domain]
        chosen = np.zeros((data.unit.size, len(tags)), dtype=bool)
        chosen[np.arange(data.unit.size), data.value] = True
    pairs = unit_pairs(data.unit)
    keep = pairs.i < pairs.j  # each unordered pair of answers once
    i, j = pairs.i[keep], pairs.j[keep]
    a_only = (chosen[i] & ~chosen[j]).astype(np.float64)
    b_only = (chosen[j] & ~chosen[i]).astype(np.float64)
    c = a_only.T @ b_only
    counts = c + c.T  # a on either side
    np.fill_diagonal(counts, 0)
    n = data.unit.size
    selector = sparse.csr_matrix(
        (np.ones(n), (data.unit, np.arange(n))), shape=(data.units.size, n)
    )
    used = (np.asarray(selector @ chosen.astype(np.float64)) > 0).astype(np.float64)  # (U, T)
    both = used.T @ used
    per_tag = np.diag(both)
    either = per_tag[:, None] + per_tag[None, :] - both
    a_idx, b_idx = np.nonzero(np.triu(counts >= min_count, k=1))
    order = np.argsort(-counts[a_idx, b_idx], kind="stable")[:top]
    return [
        Confusion(
            tag_a=tags[a_idx[k]],
            tag_b=tags[b_idx[k]],
            count=int(counts[a_idx[k], b_idx[k]]),
            titles_with_either=int(either[a_idx[k], b_idx[k]]),
            rate=float(counts[a_idx[k], b_idx[k]] / max(either[a_idx[k], b_idx[k]], 1)),
        )
        for k in order
    ]
