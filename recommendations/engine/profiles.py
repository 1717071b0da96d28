"""Subscriber profiles from viewing history.

Every event becomes a signed weight on a (subscriber, title) cell:

- ``rated``: ``IMPLICIT_BASE + RATING_SLOPE * (rating - subscriber's mean)`` with the mean shrunk
  towards ``GLOBAL_MEAN`` — a 3★ from a harsh rater counts as praise, from a generous one as a
  shrug, and a rating far below the mean is negative;
- ``watched``: ``IMPLICIT_BASE`` (they chose it); ``liked``: +1;
- ``disliked``: -1 and ``not_interested``: ``NOT_INTERESTED`` (negative signal);

then decayed by age relative to the subscriber's newest event (half-life ``HALF_LIFE_DAYS``), so
tastes drift without penalising people who were simply away. A profile is the weight row times
the title matrix, L2-normalised: (n_subscribers, n_features) float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

WATCHED, RATED, LIKED, DISLIKED, NOT_INTERESTED = 0, 1, 2, 3, 4
EVENT_CODES = {
    "watched": WATCHED,
    "rated": RATED,
    "liked": LIKED,
    "disliked": DISLIKED,
    "not_interested": NOT_INTERESTED,
}

IMPLICIT_BASE = 0.5
RATING_SLOPE = 0.5
GLOBAL_MEAN = 3.5
MEAN_SHRINK = 3.0  # pseudo-ratings at the global mean
LIKE_WEIGHT = 1.0
DISLIKE_WEIGHT = -1.0
NOT_INTERESTED_WEIGHT = -0.75
HALF_LIFE_DAYS = 365.0
DAY = 86_400.0


@dataclass
class Interactions:
    """Parallel arrays, one entry per event: ``subscriber`` and ``title`` are row/column indices
    (int32), ``event`` an ``EVENT_CODES`` value (int8), ``rating`` float32 (NaN when none),
    ``timestamp`` Unix seconds (float64)."""

    subscriber: np.ndarray
    title: np.ndarray
    event: np.ndarray
    rating: np.ndarray
    timestamp: np.ndarray

    def __len__(self) -> int:
        return int(self.subscriber.shape[0])

    def take(self, mask: np.ndarray) -> Interactions:
        return Interactions(
            self.subscriber[mask],
            self.title[mask],
            self.event[mask],
            self.rating[mask],
            self.timestamp[mask],
        )


def event_weights(
    inter: Interactions, n_subscribers: int, *, half_life_days: float = HALF_LIFE_DAYS
) -> np.ndarray:
    """(n_events,) float32 signed weight of each event (see the module docstring)."""
    sub = inter.subscriber
    rated = (inter.event == RATED) & ~np.isnan(inter.rating)
    sums = np.bincount(sub[rated], weights=inter.rating[rated], minlength=n_subscribers)
    counts = np.bincount(sub[rated], minlength=n_subscribers)
    mean = (sums + GLOBAL_MEAN * MEAN_SHRINK) / (counts + MEAN_SHRINK)
    w = np.zeros(len(inter), dtype=np.float64)
    w[inter.event == WATCHED] = IMPLICIT_BASE
    w[rated] = IMPLICIT_BASE + RATING_SLOPE * (inter.rating[rated] - mean[sub[rated]])
    w[inter.event == LIKED] = LIKE_WEIGHT
    w[inter.event == DISLIKED] = DISLIKE_WEIGHT
    w[inter.event == NOT_INTERESTED] = NOT_INTERESTED_WEIGHT
    if half_life_days > 0 and len(inter):
        newest = np.full(n_subscribers, -np.inf)
        np.maximum.at(newest, sub, inter.timestamp)
        age_days = (newest[sub] - inter.timestamp) / DAY
        w *= 0.5 ** (age_days / half_life_days)
    return w.astype(np.float32)


def weight_matrix(
    inter: Interactions,
    n_subscribers: int,
    n_titles: int,
    *,
    half_life_days: float = HALF_LIFE_DAYS,
) -> sp.csr_matrix:
    """(n_subscribers, n_titles) float32 CSR of summed signed weights per cell."""
    w = event_weights(inter, n_subscribers, half_life_days=half_life_days)
    m = sp.csr_matrix(
        (w, (inter.subscriber, inter.title)), shape=(n_subscribers, n_titles), dtype=np.float32
    )
    m.sum_duplicates()
    return m


def seen_matrix(inter: Interactions, n_subscribers: int, n_titles: int) -> sp.csr_matrix:
    """(n_subscribers, n_titles) bool CSR: every title with any event (never recommended again)."""
    ones = np.ones(len(inter), dtype=np.bool_)
    m = sp.csr_matrix(
        (ones, (inter.subscriber, inter.title)), shape=(n_subscribers, n_titles), dtype=np.bool_
    )
    m.sum_duplicates()
    return m


def build_profiles(weights: sp.csr_matrix, title_matrix: sp.csr_matrix) -> np.ndarray:
    """(n_subscribers, n_features) float32 L2-normalised taste profiles: ``weights @ titles``,
    against the title matrix made dense (small: titles x features), so the product is written
    straight into the dense result (a sparse product first held ~10x the profiles' memory)."""
    dense = np.asarray(title_matrix.toarray(), dtype=np.float32)
    profiles = np.asarray(weights.astype(np.float32) @ dense, dtype=np.float32)
    norms = np.linalg.norm(profiles, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    profiles /= norms
    return profiles
