"""Tag-based reasons and named rows.

For each recommended title the driving tags are the title's select tags with the largest
contribution ``profile[f] * title[f]``: the best genre is the noun, up to two other tags (tones,
themes…) the adjectives. The anchor is the subscriber's most positive title sharing the driving
genre (or first adjective): "Irreverent, quirky comedy — like Fargo, which you rated 5★".
Reasons stay tag-based even when co-watch lifted the score.

Rows: "Top picks for you" (the first ``TOP_ROW`` items), then microgenre rows named from the
driving tags ("Irreverent comedies"), then "Because you watched X"; a title appears in at most
one row and row names are unique. Wording comes from ``Phrases`` so the caller can translate it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .profiles import LIKED, RATED
from .vectors import GROUP_DIMENSION, ORDINAL, TitleVectors

TOP_ROW = 10
ROW_MIN = 3
ROW_MAX = 10
MAX_ROWS = 8
MAX_ADJECTIVES = 2
#: Anchor codes stored beside ratings (ratings themselves are 0.5..5).
ANCHOR_LIKED, ANCHOR_WATCHED = 10.0, 11.0


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
    """Templates with ``{desc}``, ``{title}``, ``{stars}``, ``{adjectives}``, ``{noun}``."""

    rated: str = "{desc} — like {title}, which you rated {stars}★"
    liked: str = "{desc} — like {title}, which you liked"
    watched: str = "{desc} — like {title}, which you watched"
    no_anchor: str = "{desc} — close to what you enjoy"
    untagged: str = "Popular with viewers who share your taste"
    top_picks: str = "Top picks for you"
    because: str = "Because you watched {title}"
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


def _padded_features(titles: TitleVectors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T, m) select-feature indices (-1 pad), their weighted values, and is-genre flags."""
    m = titles.matrix.tocsr()
    space = titles.space
    select = np.array([f.kind != ORDINAL for f in space.features], dtype=bool)
    is_group = np.array([f.dimension == GROUP_DIMENSION for f in space.features], dtype=bool)
    lengths = np.diff(m.indptr)
    width = int(lengths.max()) if lengths.size else 0
    idx = np.full((m.shape[0], max(width, 1)), -1, dtype=np.int32)
    val = np.zeros((m.shape[0], max(width, 1)), dtype=np.float32)
    rows = np.repeat(np.arange(m.shape[0]), lengths)
    pos = np.arange(m.indices.size) - np.repeat(m.indptr[:-1], lengths)
    keep = select[m.indices] if m.indices.size else np.zeros(0, bool)
    idx[rows[keep], pos[keep]] = m.indices[keep]
    val[rows[keep], pos[keep]] = m.data[keep]
    return idx, val, is_group


def anchors_by_feature(
    weights: sp.csr_matrix, anchor_codes: sp.csr_matrix, titles: TitleVectors
) -> sp.csr_matrix:
    """(b, F) CSR whose (u, f) holds 1 + the index of u's most positive title having feature f."""
    w = weights.tocoo()
    pos = w.data > 0
    users, hist, wt = w.row[pos], w.col[pos], w.data[pos]
    raw = titles.raw.tocsr()
    counts = np.diff(raw.indptr)[hist]
    u = np.repeat(users, counts)
    h = np.repeat(hist, counts)
    ww = np.repeat(wt, counts)
    starts = np.repeat(raw.indptr[hist], counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    f = raw.indices[starts + offsets]
    if f.size == 0:
        return sp.csr_matrix((*weights.shape[:1], raw.shape[1]), dtype=np.int32)
    # Best = highest weight, ties to the lower title index (stable, deterministic); the
    # (subscriber, feature) pair as one int64 key sorts faster than two keys.
    order = np.lexsort((h, -ww, u.astype(np.int64) * raw.shape[1] + f))
    u, f, h = u[order], f[order], h[order]
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (f[1:] != f[:-1])
    return sp.csr_matrix(
        ((h[first] + 1).astype(np.int32), (u[first], f[first])),
        shape=(weights.shape[0], raw.shape[1]),
        dtype=np.int32,
    )


_padded_cache: dict[int, tuple[TitleVectors, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def padded_features(titles: TitleVectors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    feat_idx, feat_val, is_group = padded_features(titles)
    safe = np.where(idx >= 0, idx, 0)
    fi = feat_idx[safe]  # (b, k, m)
    fv = feat_val[safe]
    prof = np.take_along_axis(profiles, np.where(fi >= 0, fi, 0).reshape(b, -1), axis=1).reshape(
        fi.shape
    )
    contrib = np.where(fi >= 0, prof * fv, -np.inf)
    # Tiny preference for the tag's own weight so untasted tags still order sensibly.
    contrib = np.where(fi >= 0, contrib + 1e-4 * fv, -np.inf)
    group = np.where(fi >= 0, is_group[np.where(fi >= 0, fi, 0)], False)
    noun_score = np.where(group, contrib, -np.inf)
    best = noun_score.argmax(axis=2)
    noun = np.take_along_axis(fi, best[:, :, None], axis=2)[:, :, 0]
    noun = np.where(np.isfinite(noun_score.max(axis=2)) & (idx >= 0), noun, -1).astype(np.int32)
    adj_score = np.where(~group & (fi >= 0) & (contrib > 0), contrib, -np.inf)
    # The best MAX_ADJECTIVES by repeated argmax (first maximum wins, as a stable sort would):
    # a few passes over (b, k, m) instead of sorting every item's tags.
    adjectives = np.full((b, k, MAX_ADJECTIVES), -1, dtype=np.int32)
    for j in range(min(MAX_ADJECTIVES, adj_score.shape[2])):
        top = adj_score.argmax(axis=2)[:, :, None]
        ok = np.isfinite(np.take_along_axis(adj_score, top, axis=2))[:, :, 0]
        adjectives[:, :, j] = np.where(ok, np.take_along_axis(fi, top, axis=2)[:, :, 0], -1)
        np.put_along_axis(adj_score, top, -np.inf, axis=2)
    lookup = anchors_by_feature(weights, anchor_codes, titles)
    key_f = np.where(noun >= 0, noun, adjectives[:, :, 0])
    rows = np.repeat(np.arange(b), k)
    anchor = np.full(b * k, -1, dtype=np.int32)
    ok = key_f.ravel() >= 0
    if ok.any():
        anchor[ok] = np.asarray(lookup[rows[ok], key_f.ravel()[ok]]).ravel() - 1
    anchor = anchor.reshape(b, k)
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


@dataclass
class Explainer:
    """Turns ``Drivers`` into strings: ``labels`` per feature, ``names`` per title index."""

    titles: TitleVectors
    names: Sequence[str]
    phrases: Phrases = field(default_factory=Phrases)
    _cache: dict[tuple[int, int, int, int, float], str] = field(default_factory=dict)
    _describe_cache: dict[tuple[int, int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.labels = [f.label for f in self.titles.space.features]

    def describe(self, noun: int, adj1: int, adj2: int) -> str:
        key = (noun, adj1, adj2)
        text = self._describe_cache.get(key)
        if text is None:
            text = self._describe_cache[key] = self._describe(noun, adj1, adj2)
        return text

    def _describe(self, noun: int, adj1: int, adj2: int) -> str:
        adjectives = [self.labels[a] for a in (adj1, adj2) if a >= 0]
        noun_label = self.labels[noun] if noun >= 0 else ""
        if adjectives:
            first, *rest = adjectives
            words = [first[:1].upper() + first[1:]] + [a[:1].lower() + a[1:] for a in rest]
            text = ", ".join(words)
            return f"{text} {noun_label.lower()}".strip()
        return noun_label[:1].upper() + noun_label[1:]

    def reason(self, noun: int, adj1: int, adj2: int, anchor: int, code: float) -> str:
        key = (noun, adj1, adj2, anchor, code)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        desc = self.describe(noun, adj1, adj2)
        p = self.phrases
        if not desc:
            text = p.untagged
        elif anchor < 0:
            text = p.no_anchor.format(desc=desc)
        elif code == ANCHOR_LIKED:
            text = p.liked.format(desc=desc, title=self.names[anchor])
        elif code == ANCHOR_WATCHED or code <= 0:
            text = p.watched.format(desc=desc, title=self.names[anchor])
        else:
            stars = f"{code:g}"
            text = p.rated.format(desc=desc, title=self.names[anchor], stars=stars)
        if len(self._cache) < 500_000:
            self._cache[key] = text
        return text

    def row_name(self, noun: int, adj: int) -> str:
        if adj < 0:
            # A bare genre reads better as "Comedy picks" than as a guessed plural.
            label = self.labels[noun] if noun >= 0 else ""
            return self.phrases.genre_row.format(noun=label[:1].upper() + label[1:])
        noun_label = self.phrases.plural(self.labels[noun]) if noun >= 0 else ""
        adjective = self.labels[adj]
        return self.phrases.microgenre.format(
            adjectives=adjective[:1].upper() + adjective[1:], noun=noun_label.lower()
        ).strip()

    def reasons_block(self, idx: np.ndarray, d: Drivers) -> np.ndarray:
        """(b, k) object array of reasons ("" where idx is -1), each distinct
        (tags, anchor) combination formatted once."""
        # One int64 key per item: the (noun, adjectives) triple numbered first, then combined
        # with anchor and half-star code, so a 1-D unique finds the distinct reasons.
        f1 = np.int64(len(self.labels) + 1)
        triple = ((d.noun.astype(np.int64) + 1) * f1 + (d.adjectives[:, :, 0] + 1)) * f1 + (
            d.adjectives[:, :, 1] + 1
        )
        tri_uniq, tri_inv = np.unique(triple.ravel(), return_inverse=True)
        code = np.clip(np.round(d.anchor_code * 2).astype(np.int64), 0, 63)
        tri_inv = tri_inv.reshape(idx.shape)
        split = self._split_templates()
        if split is not None:
            out = self._reasons_joined(tri_uniq, tri_inv, d.anchor, code, f1, split)
        else:
            out = self._reasons_formatted(tri_uniq, tri_inv, d.anchor, code, f1)
        out[idx < 0] = ""
        return out

    def _split_templates(self) -> dict[str, tuple[str, str]] | None:
        """Each anchored template cut around its one ``{desc}`` (None if a translation does
        not have exactly one), so a reason is ``before + description + after``."""
        p = self.phrases
        out = {}
        for name, template in (
            ("rated", p.rated),
            ("liked", p.liked),
            ("watched", p.watched),
            ("no_anchor", p.no_anchor),
        ):
            before, sep, after = template.partition("{desc}")
            if not sep or "{desc}" in after or (before.endswith("{") and after.startswith("}")):
                return None
            out[name] = (before, after)
        return out

    def _reasons_joined(
        self,
        tri_uniq: np.ndarray,
        tri_inv: np.ndarray,
        anchor: np.ndarray,
        code: np.ndarray,
        f1: np.int64,
        split: dict[str, tuple[str, str]],
    ) -> np.ndarray:
        """Descriptions formatted per distinct tag triple, the anchor's words per distinct
        (anchor, rating) pair, and joined by numpy's element-wise object addition: far fewer
        Python-level string operations than one ``format`` per item."""
        descs = np.array(
            [
                self.describe(int(t // (f1 * f1) - 1), int((t // f1) % f1 - 1), int(t % f1 - 1))
                for t in tri_uniq.tolist()
            ],
            dtype=object,
        )
        pair = (anchor.astype(np.int64) + 1) * 64 + code
        pair_uniq, pair_inv = np.unique(pair.ravel(), return_inverse=True)
        before = np.empty(pair_uniq.size, dtype=object)
        after = np.empty(pair_uniq.size, dtype=object)
        for i, value in enumerate(pair_uniq.tolist()):
            h, c = value // 64 - 1, value % 64
            if h < 0:
                words = split["no_anchor"]
                fill: dict[str, str] = {}
            elif c / 2 == ANCHOR_LIKED:
                words, fill = split["liked"], {"title": self.names[h]}
            elif c / 2 == ANCHOR_WATCHED or c <= 0:
                words, fill = split["watched"], {"title": self.names[h]}
            else:
                words, fill = split["rated"], {"title": self.names[h], "stars": f"{c / 2:g}"}
            before[i] = words[0].format(**fill)
            after[i] = words[1].format(**fill)
        pair_inv = pair_inv.reshape(anchor.shape)
        item_desc = descs[tri_inv]
        out = before[pair_inv] + item_desc + after[pair_inv]
        out[item_desc == ""] = self.phrases.untagged
        return out

    def _reasons_formatted(
        self,
        tri_uniq: np.ndarray,
        tri_inv: np.ndarray,
        anchor: np.ndarray,
        code: np.ndarray,
        f1: np.int64,
    ) -> np.ndarray:
        """One ``reason`` per distinct (tags, anchor, rating) combination."""
        t1 = np.int64(len(self.names) + 1)
        key = (tri_inv * t1 + (anchor.astype(np.int64) + 1)) * 64 + code
        uniq, inverse = np.unique(key.ravel(), return_inverse=True)
        tri_of = tri_uniq[uniq // (64 * t1)]
        anchors = (uniq // 64) % t1 - 1
        codes = uniq % 64
        nouns = tri_of // (f1 * f1) - 1
        adj1s = (tri_of // f1) % f1 - 1
        adj2s = tri_of % f1 - 1
        texts = np.array(
            [
                self.reason(n, a1, a2, h, c / 2)
                for n, a1, a2, h, c in zip(
                    nouns.tolist(),
                    adj1s.tolist(),
                    adj2s.tolist(),
                    anchors.tolist(),
                    codes.tolist(),
                    strict=True,
                )
            ],
            dtype=object,
        )
        return texts[inverse].reshape(anchor.shape)

    def reasons_for(
        self,
        idx_row: np.ndarray,
        d_noun: np.ndarray,
        d_adj: np.ndarray,
        d_anchor: np.ndarray,
        d_code: np.ndarray,
    ) -> list[str]:
        return [
            self.reason(int(n), int(a[0]), int(a[1]), int(h), float(c))
            for t, n, a, h, c in zip(idx_row, d_noun, d_adj, d_anchor, d_code, strict=True)
            if t >= 0
        ]

    def rows_for(
        self,
        idx_row: np.ndarray,
        title_ids: np.ndarray,
        d_noun: np.ndarray,
        d_adj: np.ndarray,
        d_anchor: np.ndarray,
    ) -> list[dict[str, object]]:
        """``[{"name", "title_ids"}]`` for one list (title ids, not indices)."""
        n = int((idx_row >= 0).sum())
        return self.rows_from_lists(
            title_ids[idx_row[:n]].tolist(),
            d_noun[:n].tolist(),
            d_adj[:n, 0].tolist(),
            d_anchor[:n].tolist(),
        )

    def rows_from_lists(
        self, ids: list[int], nouns: list[int], adjs: list[int], anchors: list[int]
    ) -> list[dict[str, object]]:
        """``rows_for`` on plain lists (the per-subscriber hot path of a rebuild)."""
        n = len(ids)
        rows: list[dict[str, object]] = []
        if n == 0:
            return rows
        top = self.phrases.top_picks
        rows.append({"name": top, "title_ids": ids[:TOP_ROW]})
        used = set(range(min(TOP_ROW, n)))
        names = {top}
        # Microgenres: (first adjective, genre) when there is an adjective, else the genre.
        groups: dict[tuple[int, int], list[int]] = {}
        for i in range(TOP_ROW, n):
            groups.setdefault((nouns[i], adjs[i]), []).append(i)
        candidates = [
            (members[0], key, members)
            for key, members in groups.items()
            if len(members) >= ROW_MIN and (key[0] >= 0 or key[1] >= 0)
        ]
        candidates.sort()
        for _, (noun, adj), members in candidates:
            if len(rows) >= MAX_ROWS:
                break
            name = self._row_name_cached(noun, adj)
            if name in names:
                continue
            members = members[:ROW_MAX]
            rows.append({"name": name, "title_ids": [ids[i] for i in members]})
            used.update(members)
            names.add(name)
        by_anchor: dict[int, list[int]] = {}
        for i in range(n):
            if anchors[i] >= 0 and i not in used:
                by_anchor.setdefault(anchors[i], []).append(i)
        for anchor, members in sorted(by_anchor.items(), key=lambda kv: kv[1][0]):
            if len(rows) >= MAX_ROWS:
                break
            name = self.phrases.because.format(title=self.names[anchor])
            if len(members) < ROW_MIN or name in names:
                continue
            members = members[:ROW_MAX]
            rows.append({"name": name, "title_ids": [ids[i] for i in members]})
            used.update(members)
            names.add(name)
        return rows

    def _row_name_cached(self, noun: int, adj: int) -> str:
        key = (noun, adj, -2, -2, -2.0)
        name = self._cache.get(key)
        if name is None:
            name = self._cache[key] = self.row_name(noun, adj)
        return name
