"""Reasons and row names worded when read, in the reader's language.

The worker stores codes (``RecommendationList``); here they become words: the phrases through
gettext and the tags' labels from their ``translations``, so a French page reads French and a
renamed tag shows its new label before any rebuild. Labels are loaded once per language and
taxonomy version (every label edit is a new ``TaxonomyChange``) into the shared cache, phrases
once per language and process (they only change with the compiled catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.models import Dimension, Tag
from catalog.selectors import taxonomy_version

from .engine.explain import SCORE_SCALE, Phrases, Renderer, english_plural
from .engine.packed import Unpacked, unpack

# --- stored lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredItem:
    title_id: int
    score: float
    #: (genre code, adjective code, adjective code, anchor title id, anchor code)
    codes: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class StoredRow:
    kind: str
    #: (genre code, adjective code, anchor title id)
    codes: tuple[int, int, int]
    title_ids: list[int]


def list_items(packed: bytes | memoryview | None) -> list[StoredItem]:
    """A stored list's items (``RecommendationList.packed``)."""
    return _items(unpack(packed))


def list_decode(packed: bytes | memoryview | None) -> tuple[list[StoredItem], list[StoredRow]]:
    """A stored list's items and rows (rows are derived from the items' codes unless stored)."""
    values = unpack(packed)
    t = values.t
    rows = [
        StoredRow(kind, (g, a, h), [t[p] for p in positions])
        for kind, g, a, h, positions in values.rows
    ]
    return _items(values), rows


def _items(values: Unpacked) -> list[StoredItem]:
    return [
        StoredItem(title, score / SCORE_SCALE, (g, a, b, h, c))
        for title, score, g, a, b, h, c in zip(
            values.t, values.s, values.g, values.a, values.b, values.h, values.c, strict=True
        )
    ]


def anchor_ids(items: list[StoredItem], rows: list[StoredRow]) -> set[int]:
    """Titles whose names the words need (the anchors), beside the listed titles."""
    return {item.codes[3] for item in items if item.codes[3]} | {
        row.codes[2] for row in rows if row.codes[2]
    }


# --- words ---------------------------------------------------------------------------------

_phrases: dict[str, Phrases] = {}
#: Labels change only with a new taxonomy version, which is in the key: no expiry needed.
LABELS_TIMEOUT = None


def _language(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]


def tag_labels(*, language: str | None = None, version: int | None = None) -> dict[int, str]:
    """Label per tag code (Tag id; minus the Dimension id for dimension-level features), in
    ``language``, retired tags included (a list may name one until it is rebuilt). Kept in the
    shared cache per language and taxonomy version: every web process reads it from there."""
    language = _language(language)
    version = taxonomy_version() if version is None else version
    key = f"tagline:labels:{language}:{version}"
    labels: dict[int, str] | None = cache.get(key)
    if labels is None:
        labels = {}
        for model, sign in ((Tag, 1), (Dimension, -1)):
            for pk, label, translations in model.objects.values_list("pk", "label", "translations"):
                own = (translations or {}).get(language, {}).get("label")
                labels[sign * pk] = str(own or label)
        cache.set(key, labels, LABELS_TIMEOUT)
    return labels


def phrases(language: str | None = None) -> Phrases:
    """The wording of reasons and rows in ``language`` (default: the active one)."""
    language = _language(language)
    cached = _phrases.get(language)
    if cached is not None:
        return cached
    with translation.override(language):
        cached = Phrases(
            rated=_("{desc} — like {title}, which you rated {stars}★"),
            liked=_("{desc} — like {title}, which you liked"),
            watched=_("{desc} — like {title}, which you watched"),
            no_anchor=_("{desc} — close to what you enjoy"),
            untagged=_("Popular with viewers who share your taste"),
            top_picks=_("Top picks for you"),
            because=_("Because you watched {title}"),
            # Translators: a genre with its tones or themes, e.g. "irreverent, quirky comedy";
            # also a row name with the genre in the plural ("irreverent comedies").
            microgenre=_("{adjectives} {noun}"),
            genre_row=_("{noun} picks"),
            # Only English guesses plurals; other languages word their rows without one.
            plural=english_plural if language == "en" else str,
        )
    _phrases[language] = cached
    return cached


def renderer_for(
    *, names: Mapping[int, str], language: str | None = None, taxonomy_version: int | None = None
) -> Renderer:
    """Words for one page or export: ``names`` holds at least the anchors' titles by id."""
    labels = tag_labels(language=language, version=taxonomy_version)
    return Renderer(labels, names, phrases(language))


def item_reason(renderer: Renderer, item: StoredItem) -> str:
    return renderer.reason(*item.codes)


def row_name(renderer: Renderer, row: StoredRow) -> str:
    return renderer.row_name(row.kind, *row.codes)
