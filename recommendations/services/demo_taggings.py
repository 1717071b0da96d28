"""Simulated tagger answers for the demo's working state (``seed_demo``).

The demo catalogue and histories are real MovieLens data, but nobody has tagged those titles
with our codebook, so the editors' pages would start empty. These functions derive a plausible
answer from a title's canonical (MovieLens) genres, then add each tagger's habits and
deterministic noise (seeded by title and tagger), so that taggers disagree the way real ones
do: now and then a genre dropped or added, a tone swapped, a level one step off, and one tagger
who rates violence harsher than the others. data/README.md says these taggings are simulated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from catalog.models import Dimension
from catalog.values import Codebook

#: Tones a title of each genre usually has, most typical first.
TONES_BY_GENRE: dict[str, tuple[str, ...]] = {
    "action": ("confident", "tense"),
    "adventure": ("confident", "uplifting"),
    "animation": ("whimsical", "feel-good"),
    "children": ("feel-good", "whimsical"),
    "comedy": ("humorous", "quirky", "irreverent"),
    "crime": ("gritty", "tense"),
    "documentary": ("sincere", "cerebral"),
    "drama": ("emotional", "sincere", "melancholic"),
    "fantasy": ("whimsical", "confident"),
    "film-noir": ("dark", "tense"),
    "horror": ("dark", "tense", "suspenseful"),
    "musical": ("uplifting", "feel-good"),
    "mystery": ("suspenseful", "cerebral"),
    "romance": ("romantic", "emotional"),
    "sci-fi": ("cerebral", "confident"),
    "thriller": ("suspenseful", "tense"),
    "war": ("bleak", "gritty", "emotional"),
    "western": ("gritty", "confident"),
}
#: Genres a tagger may plausibly add next to a given one.
RELATED_GENRES: dict[str, tuple[str, ...]] = {
    "action": ("thriller", "adventure"),
    "adventure": ("action", "family"),
    "animation": ("family",),
    "children": ("family",),
    "comedy": ("romantic-comedy", "satire"),
    "crime": ("thriller", "mystery"),
    "drama": ("biography", "history", "coming-of-age"),
    "fantasy": ("adventure",),
    "horror": ("thriller",),
    "mystery": ("thriller", "crime"),
    "romance": ("romantic-comedy", "drama"),
    "sci-fi": ("action", "fantasy"),
    "thriller": ("mystery", "crime"),
    "war": ("history", "drama"),
}
#: Typical level by genre per ordinal dimension; a title takes the highest of its genres.
LEVELS_BY_GENRE: dict[str, dict[str, int]] = {
    "violence": {
        "action": 3,
        "war": 4,
        "horror": 3,
        "crime": 3,
        "thriller": 3,
        "western": 3,
        "film-noir": 2,
        "sci-fi": 2,
        "adventure": 2,
        "fantasy": 2,
        "mystery": 2,
        "drama": 1,
        "comedy": 1,
    },
    "sex": {"romance": 2, "drama": 2, "comedy": 1, "crime": 1, "thriller": 1, "horror": 1},
    "language": {
        "crime": 3,
        "war": 3,
        "comedy": 2,
        "thriller": 2,
        "drama": 2,
        "action": 2,
        "horror": 2,
    },
    "gore": {"horror": 3, "war": 3, "crime": 2, "action": 2, "thriller": 1, "sci-fi": 1},
    "romance": {"romance": 4, "drama": 2, "comedy": 2, "musical": 2},
    "suspense": {
        "thriller": 4,
        "horror": 4,
        "mystery": 3,
        "action": 3,
        "crime": 3,
        "war": 3,
        "sci-fi": 2,
        "adventure": 2,
        "film-noir": 3,
    },
    "plot-conclusiveness": {
        "children": 5,
        "animation": 4,
        "comedy": 4,
        "romance": 4,
        "action": 4,
        "film-noir": 2,
        "drama": 3,
        "mystery": 4,
    },
}
DEFAULT_LEVEL = {
    "violence": 0,
    "sex": 0,
    "language": 1,
    "gore": 0,
    "romance": 1,
    "suspense": 1,
    "plot-conclusiveness": 3,
}
#: Children's and animated titles stay mild whatever their other genres suggest.
FAMILY_CAPS = {"violence": 1, "sex": 0, "language": 1, "gore": 1}


@dataclass(frozen=True)
class TaggerHabits:
    """How one simulated tagger deviates: ``noise`` is the chance of each kind of slip,
    ``bias`` a systematic offset per ordinal dimension."""

    noise: float
    bias: dict[str, int]


#: By position in the demo's tagger list: tagger3 is the harsh rater the calibration page
#: should reveal; tagger4 is the least consistent.
HABITS = (
    TaggerHabits(noise=0.12, bias={}),
    TaggerHabits(noise=0.18, bias={}),
    TaggerHabits(noise=0.18, bias={"violence": 1, "language": 1}),
    TaggerHabits(noise=0.35, bias={"sex": -1}),
)


def simulated_values(
    *, genres: list[str], external_id: str, tagger: str, habits: TaggerHabits, codebook: Codebook
) -> dict[str, Any]:
    """A complete answer (every required dimension) in the shared values shape, using only
    dimensions and tags that exist in ``codebook``. Deterministic for (title, tagger)."""
    rng = random.Random(f"{external_id}:{tagger}")  # noqa: S311 - simulation; a str seed hashes stably
    family = bool({"children", "animation"} & set(genres))
    values: dict[str, Any] = {}

    def known(dimension: str, slugs: list[str]) -> list[str]:
        tags = codebook.tags.get(dimension, {})
        return [slug for slug in dict.fromkeys(slugs) if slug in tags and tags[slug].active]

    chosen = list(genres)
    if len(chosen) > 1 and rng.random() < habits.noise:
        chosen.remove(rng.choice(chosen))
    if rng.random() < habits.noise:
        related = [g for genre in genres for g in RELATED_GENRES.get(genre, ())]
        if related:
            chosen.append(rng.choice(related))
    values["genre"] = sorted(known("genre", chosen))

    base_tones = [TONES_BY_GENRE[g][0] for g in genres if g in TONES_BY_GENRE][:3]
    tones = [tone for tone in base_tones if rng.random() >= habits.noise / 2]
    alternatives = [t for g in genres for t in TONES_BY_GENRE.get(g, ())[1:] if t not in tones]
    if alternatives and (not tones or rng.random() < habits.noise):
        tones.append(rng.choice(alternatives))
    values["tone"] = sorted(known("tone", tones or ["sincere"]))

    for dimension, by_genre in LEVELS_BY_GENRE.items():
        level = max(
            [by_genre.get(g, DEFAULT_LEVEL[dimension]) for g in genres]
            or [DEFAULT_LEVEL[dimension]]
        )
        if family and dimension in FAMILY_CAPS:
            level = min(level, FAMILY_CAPS[dimension])
        level += habits.bias.get(dimension, 0)
        if rng.random() < habits.noise:
            level += rng.choice((-1, 1))
        values[dimension] = max(0, min(5, level))

    if "children" in genres:
        audience = "children"
    elif family:
        audience = "family"
    elif values["violence"] <= 2 and values["sex"] <= 1 and values["language"] <= 2:
        audience = "teens"
    else:
        audience = "adults"
    if rng.random() < habits.noise / 2:
        audience = rng.choice(["family", "teens", "adults"])
    values["audience"] = audience
    if "documentary" in genres:
        values["true-story"] = True

    return {
        slug: value
        for slug, value in values.items()
        if slug in codebook.dimensions
        and codebook.dimensions[slug].active
        and (
            codebook.dimensions[slug].kind != Dimension.Kind.SINGLE
            or value in codebook.tags.get(slug, {})
        )
    }
