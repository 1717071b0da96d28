"""Tag-based reasons and named rows, stored as codes and worded when read.

For each recommended title the driving tags are the title's select tags with the largest
contribution ``profile[f] * title[f]``: the best genre is the noun, up to two other tags (tones,
themes…) the adjectives. The anchor is the subscriber's most positive title sharing the driving
genre (or first adjective): "Irreverent, quirky comedy — like Fargo, which you rated 5★".
Reasons stay tag-based even when co-watch lifted the score.

Rows ("Top picks for you", "Irreverent comedies", "Because you watched X") follow from the
stored codes and are derived when read (``rows``).

The worker stores none of these words: ``Explainer`` turns drivers into codes (tag ids, title
ids, a rating in half stars), and ``Renderer`` words them in the reader's language from
``Phrases`` and the tags' labels, so a French page shows French reasons and a renamed tag shows
its new label without a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .keys import RADIX_GROUPS, ranked_order
from .profiles import LIKED, RATED
from .rows import ROW_BECAUSE, ROW_TOP
from .vectors import GROUP_DIMENSION, ORDINAL, TitleVectors

MAX_ADJECTIVES = 2
#: Anchor codes stored beside ratings (ratings themselves are 0.5..5).
ANCHOR_LIKED, ANCHOR_WATCHED = 10.0, 11.0
#: Stored anchor code: a rating in half stars (1..10), or these; 0 with no anchor.
CODE_LIKED, CODE_WATCHED = int(ANCHOR_LIKED * 2), int(ANCHOR_WATCHED * 2)
#: Stored scores are integers in units of 1/SCORE_SCALE (int32 in the packed list, exact).
SCORE_SCALE = 10_000


def english_plural(label: str) -> str:
    word = label.strip()
    if not word:
        return word
    lower = word.lower()
    if lower.endswith(("s", "x", "ch", "sh")):
        return word if lower.endswith("s") else word + "es"
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


@dataclass(frozen=True)
class Phrases:
    """Templates with ``{desc}``, ``{title}``, ``{stars}``, ``{adjectives}``, ``{noun}``;
    ``plural`` makes a row's noun plural (the identity where the language's template does not
    want it)."""

    rated: str = "{desc} — like {title}, which you rated {stars}★"
    liked: str = "{desc} — like {title}, which you liked"
    watched: str = "{desc} — like {title}, which you watched"
    no_anchor: str = "{desc} — close to what you enjoy"
    untagged: str = "Popular with viewers who share your taste"
    top_picks: str = "Top picks for you"
    because: str = "Because you watched {title}"
    #: Both a reason's description (singular noun) and a microgenre row (plural noun).
    microgenre: str = "{adjectives} {noun}"
    genre_row: str = "{noun} picks"
    plural: Callable[[str], str] = field(default=english_plural)


@dataclass
class Drivers:
    """Per list item: ``noun`` (b, k) int32 feature index of the driving genre (-1 none),
    ``adjectives`` (b, k, MAX_ADJECTIVES) int32 (-1 none), ``anchor`` (b, k) int32 title index
    (-1 none), ``anchor_code`` (b, k) float32 rating or ANCHOR_LIKED/ANCHOR_WATCHED."""

    noun: np.ndarray
    adjectives: np.ndarray
    anchor: np.ndarray
    anchor_code: np.ndarray


@dataclass(frozen=True)
class Slots:
    """Some of each title's select features as (T, m) slots, in the matrix's order, padded past
    its last: ``idx`` the feature (-1 pad), ``at`` the same with F (one past the last feature)
    for a pad, ``val`` the weighted value (1 for a pad)."""

    idx: np.ndarray
    at: np.ndarray
    val: np.ndarray

    def contributions(self, safe: np.ndarray, table: np.ndarray) -> np.ndarray:
        """(b, k, m) float32: table value x slot value for the titles ``safe`` (b, k) of the
        lists of the subscribers whose (b, F + 1) ``table`` rows are given (``_tables``); a
        pad reads the table's last column, -inf (no mask, no third gather)."""
        b, width = table.shape
        offsets = np.arange(b, dtype=np.int32 if b * width < 2**31 else np.int64) * width
        # ``np.take`` of whole rows by intp indices: 4-5x faster than ``self.at[safe]``.
        rows = safe.astype(np.intp, copy=False)
        at = np.take(self.at, rows, axis=0) + offsets[:, None, None]
        return table.reshape(-1)[at] * np.take(self.val, rows, axis=0)


def _tables(profiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two (b, F + 1) float32 tables of the profiles, each with a -inf column F that pads
    read: profile + 1e-4 — a tiny preference for the tag's own weight, so untasted tags still
    order sensibly — and the same where it is positive (the tags the subscriber is drawn to),
    -inf elsewhere. Adjective slots have positive values (``_padded_features``), so a product
    is positive exactly where its table entry is: masking the (b, F) table replaces masking
    every (b, k, m) product."""
    b, width = profiles.shape[0], profiles.shape[1] + 1
    plus = np.empty((b, width), np.float32)
    np.add(profiles, np.float32(1e-4), out=plus[:, :-1])
    plus[:, -1] = -np.inf
    return plus, np.where(plus > 0, plus, np.float32(-np.inf))


@dataclass(frozen=True)
class PaddedFeatures:
    """Each title's genre features and its other select features, as two slot tables.
    Precomputed once per title vectors: ``drivers`` only gathers them."""

    genres: Slots
    others: Slots


def _slots(m: sp.csr_matrix, keep: np.ndarray, *, positive: bool = False) -> Slots:
    """The entries of ``m`` (T, F) whose feature ``keep`` (F,) bool (and, with ``positive``,
    whose value is above 0), as padded slots."""
    entries = keep[m.indices] if m.indices.size else np.zeros(0, bool)
    if positive:
        entries &= m.data > 0
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))[entries]
    lengths = np.bincount(rows, minlength=m.shape[0])
    width = max(int(lengths.max(initial=0)), 1)
    pos = np.arange(rows.size) - (np.cumsum(lengths) - lengths)[rows]
    idx = np.full((m.shape[0], width), -1, dtype=np.int32)
    val = np.zeros((m.shape[0], width), dtype=np.float32)
    idx[rows, pos] = m.indices[entries]
    val[rows, pos] = m.data[entries]
    pad = idx < 0
    return Slots(idx, np.where(pad, m.shape[1], idx), np.where(pad, np.float32(1), val))


def _padded_features(titles: TitleVectors) -> PaddedFeatures:
    m = titles.matrix.tocsr()
    select = np.array([f.kind != ORDINAL for f in titles.space.features], dtype=bool)
    group = np.array([f.dimension == GROUP_DIMENSION for f in titles.space.features], dtype=bool)
    # An adjective must draw the subscriber (a positive product): a weight of 0 never does.
    return PaddedFeatures(_slots(m, select & group), _slots(m, select & ~group, positive=True))


def feature_anchors(
    weights: sp.csr_matrix, features: np.ndarray, presence: sp.csr_matrix
) -> np.ndarray:
    """(b, k) int32: for each row u of ``weights`` (b, T) and feature ``features[u, j]`` (-1
    none), u's most positive title having that feature — highest weight, ties to the lower
    title index — or -1. ``presence`` (T, F) CSR: which features each title has. Each row's
    positive titles are ranked once; each (row, feature) of their features keeps its best
    rank (``np.minimum.at``), and the k wanted features are looked up there: a title's
    features are read once, not once per wanted feature."""
    b, k = features.shape
    n_features = presence.shape[1]
    w = weights.tocsr()
    if not w.has_sorted_indices:  # ``_rank_order`` keeps each row's ties in column order
        w = w.sorted_indices()
    pos = w.data > 0
    rows = np.repeat(np.arange(b), np.diff(w.indptr))[pos]
    cols, vals = w.indices[pos], w.data[pos]
    if rows.size == 0 or k == 0:
        return np.full((b, k), -1, np.int32)
    order = _rank_order(rows, vals, cols, b)
    rows, cols = rows[order], cols[order]
    counts = np.bincount(rows, minlength=b)
    first = np.cumsum(counts) - counts
    if k * presence.shape[0] < presence.nnz:  # fewer wanted features a row than a title has
        return _anchors_looked_up(cols, counts, first, features, presence)
    rank = np.arange(rows.size) - first[rows]
    # Each ranked title's features, as (row x F + feature) cells holding the title's rank.
    per_title = np.diff(presence.indptr)[cols]
    starts = np.repeat(presence.indptr[cols] - np.cumsum(per_title) + per_title, per_title)
    feature = presence.indices[np.arange(int(per_title.sum())) + starts]
    best = np.full(b * n_features, np.iinfo(np.int32).max, np.int32)
    np.minimum.at(
        best,
        np.repeat(rows.astype(np.int64) * n_features, per_title) + feature,
        np.repeat(rank.astype(np.int32), per_title),
    )
    wanted = features >= 0
    cell = np.arange(b, dtype=np.int64)[:, None] * n_features + np.where(wanted, features, 0)
    found = best[cell]
    found = np.where(wanted & (found < np.iinfo(np.int32).max), found, -1)
    # The title at that rank: ranked titles are contiguous per row, from its first.
    return np.where(found >= 0, cols[first[:, None] + np.maximum(found, 0)], -1).astype(np.int32)


def _anchors_looked_up(
    cols: np.ndarray,
    counts: np.ndarray,
    first: np.ndarray,
    features: np.ndarray,
    presence: sp.csr_matrix,
) -> np.ndarray:
    """``feature_anchors`` for a few wanted features a row (an incremental update explains
    the one or two items that moved): each wanted (row, feature) tests the row's ranked titles
    in order in a dense presence table, and the first that has the feature is the anchor —
    no pass over every feature of every ranked title (the popular bench title's update, 26k
    lists explaining ~1 item each: 2.04 -> 1.56 s of CPU)."""
    b, k = features.shape
    out = np.full((b, k), -1, np.int32)
    r, j = np.nonzero(features >= 0)
    n = counts[r]
    total = int(n.sum())
    if total == 0:
        return out
    cell = np.repeat(np.arange(r.size), n)  # the wanted cell of each test
    at = np.arange(total) - np.repeat(np.cumsum(n) - n, n) + np.repeat(first[r], n)
    title = cols[at]
    table = _dense_presence(presence)
    hits = np.flatnonzero(table[title.astype(np.int64) * presence.shape[1] + features[r, j][cell]])
    # Tests are in rank order within each cell, so a cell's first hit is its best title.
    hit_cell = cell[hits]
    firsts = np.ones(hits.size, np.bool_)
    firsts[1:] = hit_cell[1:] != hit_cell[:-1]
    won = hit_cell[firsts]
    out[r[won], j[won]] = title[hits[firsts]]
    return out


_dense_cache: list[tuple[sp.csr_matrix, np.ndarray]] = []


def _dense_presence(presence: sp.csr_matrix) -> np.ndarray:
    """(T x F,) bool: ``presence`` flattened dense, kept while the same matrix is passed
    (``feature_presence`` keeps one per title vectors): 2.9 MB for 10k titles."""
    if not _dense_cache or _dense_cache[0][0] is not presence:
        _dense_cache[:] = [(presence, presence.toarray().astype(np.bool_).reshape(-1))]
    return _dense_cache[0][1]


def _rank_order(rows: np.ndarray, vals: np.ndarray, cols: np.ndarray, n_rows: int) -> np.ndarray:
    """``np.lexsort((cols, -vals, rows))`` — by row, then value descending, then column — for
    entries in (row, column) order, as a CSR matrix with sorted indices holds them: then
    ``ranked_order``'s radix passes give it."""
    if n_rows <= RADIX_GROUPS:
        return ranked_order(rows, vals)
    return np.lexsort((cols, -vals, rows))


_presence_cache: list[tuple[TitleVectors, sp.csr_matrix]] = []


def feature_presence(titles: TitleVectors) -> sp.csr_matrix:
    """(T, F) CSR: the stored entries of the raw title matrix (any value) of select features
    — the only ones an anchor is looked up for (a driving genre or adjective), so ordinal
    levels, nearly half of a title's entries, are left out — sorted, kept per title-vectors
    object."""
    if not _presence_cache or _presence_cache[0][0] is not titles:
        raw = titles.raw.tocsr(copy=True)
        select = np.array([f.kind != ORDINAL for f in titles.space.features], dtype=bool)
        raw.data = select[raw.indices].astype(raw.dtype)  # presence only: 1 kept, 0 dropped
        raw.eliminate_zeros()
        raw.sort_indices()
        _presence_cache[:] = [(titles, raw)]
    return _presence_cache[0][1]


_padded_cache: dict[int, tuple[TitleVectors, PaddedFeatures]] = {}


def padded_features(titles: TitleVectors) -> PaddedFeatures:
    """``_padded_features`` cached per title-vectors object (rebuilt when they are replaced)."""
    hit = _padded_cache.get(id(titles))
    if hit is None or hit[0] is not titles:
        _padded_cache.clear()
        hit = (titles, _padded_features(titles))
        _padded_cache[id(titles)] = hit
    return hit[1]


def drivers(
    idx: np.ndarray,
    profiles: np.ndarray,
    weights: sp.csr_matrix,
    anchor_codes: sp.csr_matrix,
    titles: TitleVectors,
) -> Drivers:
    """Driving tags and anchors for a block of lists ``idx`` (b, k) int32 (-1 pads)."""
    b, k = idx.shape
    padded = padded_features(titles)
    safe = np.where(idx >= 0, idx, 0)
    plus, drawn = _tables(profiles)
    # Slots keep the matrix's order, so the first maximum is the one a stable sort would pick.
    noun_score = padded.genres.contributions(safe, plus)  # (b, k, genre slots)
    best = noun_score.argmax(axis=2)
    width = noun_score.shape[2]
    noun = padded.genres.idx.reshape(-1)[safe * width + best]  # one slot each, not all
    has_noun = np.isfinite(noun_score.reshape(-1)[np.arange(b * k) * width + best.ravel()])
    noun = np.where(has_noun.reshape(b, k) & (idx >= 0), noun, -1).astype(np.int32)
    adj_score = padded.others.contributions(safe, drawn)  # -inf: not drawn to it
    width = adj_score.shape[2]
    flat_score, cells = adj_score.reshape(-1), np.arange(b * k).reshape(b, k) * width
    # The best MAX_ADJECTIVES by repeated argmax (first maximum wins, as a stable sort would):
    # a few passes over (b, k, m) instead of sorting every item's tags.
    adjectives = np.full((b, k, MAX_ADJECTIVES), -1, dtype=np.int32)
    for j in range(min(MAX_ADJECTIVES, width)):
        top = adj_score.argmax(axis=2)
        ok = np.isfinite(flat_score[cells + top])
        adjectives[:, :, j] = np.where(ok, padded.others.idx.reshape(-1)[safe * width + top], -1)
        flat_score[cells + top] = -np.inf
    key_f = np.where(noun >= 0, noun, adjectives[:, :, 0])
    anchor = feature_anchors(weights, key_f, feature_presence(titles))
    anchor = np.where(anchor == idx, -1, anchor)
    code = np.zeros((b, k), dtype=np.float32)
    has = anchor >= 0
    if has.any():
        code[has] = np.asarray(anchor_codes[np.nonzero(has)[0], anchor[has]]).ravel()
    return Drivers(noun, adjectives, anchor, code)


def anchor_code_matrix(
    subscriber: np.ndarray,
    title: np.ndarray,
    event: np.ndarray,
    rating: np.ndarray,
    shape: tuple[int, int],
) -> sp.csr_matrix:
    """(b, T) float32: the newest rating a subscriber gave a title, else ANCHOR_LIKED when liked,
    else ANCHOR_WATCHED — what the reason says about the anchor."""
    code = np.full(subscriber.shape, ANCHOR_WATCHED, dtype=np.float32)
    code[event == LIKED] = ANCHOR_LIKED
    rated = (event == RATED) & ~np.isnan(rating)
    code[rated] = rating[rated]
    # Lowest code wins per cell (a rating beats "liked" beats "watched").
    order = np.lexsort((code, title, subscriber))
    s, t, c = subscriber[order], title[order], code[order]
    first = np.ones(s.size, dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    return sp.csr_matrix((c[first], (s[first], t[first])), shape=shape, dtype=np.float32)


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(label: str) -> str:
    """ "Comedy" -> "comedy" inside a phrase; an acronym ("TV", "LGBTQ") is left alone."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


@dataclass
class Explainer:
    """Turns ``Drivers`` into the stored codes. ``tag_ids`` (F,) gives each feature's code — the
    Tag's id, or minus the Dimension's id for a boolean or ordinal feature; 0 for none. Without
    it (the engine's own tests and benchmarks) a feature's code is its index + 1.
    ``names`` is not needed any more (reasons are worded when read); accepted so existing
    callers keep working."""

    titles: TitleVectors
    names: Sequence[str] = ()
    tag_ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.titles.space.features)
        codes = (
            np.arange(1, n + 1, dtype=np.int64)
            if self.tag_ids is None
            else np.asarray(self.tag_ids, dtype=np.int64)
        )
        # A trailing 0 so that feature index -1 ("none") maps to code 0 by plain indexing.
        self._codes = np.append(codes, np.int64(0))

    def tag_codes(self, features: np.ndarray) -> np.ndarray:
        """Codes of feature indices (any shape, -1 = none -> 0)."""
        return self._codes[features]


@dataclass
class Renderer:
    """Words stored codes in one language: ``labels`` per tag code (see ``Explainer``),
    ``names`` per title id. A code it does not know (a deleted tag or title) is left out."""

    labels: Mapping[int, str]
    names: Mapping[int, str]
    phrases: Phrases = field(default_factory=Phrases)

    def describe(self, noun: int, adj1: int, adj2: int) -> str:
        adjectives = [lower_first(a) for c in (adj1, adj2) if c and (a := self.labels.get(c))]
        noun_label = self.labels.get(noun, "") if noun else ""
        if adjectives and noun_label:
            text = self.phrases.microgenre.format(
                adjectives=", ".join(adjectives), noun=lower_first(noun_label)
            )
        else:
            text = ", ".join(adjectives) or noun_label
        return upper_first(text.strip())

    def reason(self, noun: int, adj1: int, adj2: int, anchor: int, code: int) -> str:
        desc = self.describe(noun, adj1, adj2)
        p = self.phrases
        name = self.names.get(anchor) if anchor else None
        if not desc:
            return p.untagged
        if name is None:
            return p.no_anchor.format(desc=desc)
        if code == CODE_LIKED:
            return p.liked.format(desc=desc, title=name)
        if code == CODE_WATCHED or code <= 0:
            return p.watched.format(desc=desc, title=name)
        return p.rated.format(desc=desc, title=name, stars=f"{code / 2:g}")

    def row_name(self, kind: str, noun: int, adj: int, anchor: int) -> str:
        """ "" when a code is no longer known (the row is then not shown)."""
        p = self.phrases
        if kind == ROW_TOP:
            return p.top_picks
        if kind == ROW_BECAUSE:
            name = self.names.get(anchor)
            return p.because.format(title=name) if name else ""
        noun_label = self.labels.get(noun, "") if noun else ""
        adjective = self.labels.get(adj, "") if adj else ""
        if not adjective:
            # A bare genre reads better as "Comedy picks" than as a guessed plural.
            return p.genre_row.format(noun=upper_first(noun_label)) if noun_label else ""
        if not noun_label:
            return upper_first(adjective)
        text = p.microgenre.format(
            adjectives=lower_first(adjective), noun=lower_first(p.plural(noun_label))
        )
        return upper_first(text.strip())
