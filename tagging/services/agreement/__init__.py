"""Inter-tagger agreement: Krippendorff's alpha (nominal, ordinal, interval; per-tag binary and a
set-based alpha for multi-select), bootstrap CIs, tagger figures and the confusion report.

``core`` is pure numpy on long-form arrays; ``data`` loads submitted taggings in bulk and
extracts one dimension; ``stats`` and ``confusion`` compute the figures the review pages show.
"""

from __future__ import annotations

from .core import AlphaResult, alpha, coincidence_matrix, per_tag_binary_alpha, set_distance_matrix
from .data import Answers, DimensionData, answers_load, dimension_data

__all__ = [
    "AlphaResult",
    "Answers",
    "DimensionData",
    "alpha",
    "answers_load",
    "coincidence_matrix",
    "dimension_data",
    "per_tag_binary_alpha",
    "set_distance_matrix",
]
