"""Named rows of a list, derived from its items' codes when the list is read.

"Top picks for you" holds the first ``TOP_ROW`` items; then microgenre rows group the items
sharing a driving genre and first adjective ("Irreverent comedies"; a genre alone makes a
genre row); the items left out are grouped by anchor ("Because you watched Fargo"). A title
is in at most one row. Rows depend only on the stored codes, so they are not stored: the reader
derives them (``packed.unpack``) in ~12 µs of Python per 50-item list on the Intel bench VM,
and the worker spends nothing on them (grouping a block's rows with numpy sorts cost it 8 µs a
list).
"""

from __future__ import annotations

from collections.abc import Sequence

TOP_ROW = 10
ROW_MIN = 3
ROW_MAX = 10
MAX_ROWS = 8
#: Row kinds, by their stored index.
ROW_TOP, ROW_MICRO, ROW_GENRE, ROW_BECAUSE = "top", "micro", "genre", "because"
KINDS = (ROW_TOP, ROW_MICRO, ROW_GENRE, ROW_BECAUSE)

#: (kind, genre code, adjective code, anchor title id, item positions)
Row = tuple[str, int, int, int, list[int]]


def rows_of(genres: Sequence[int], adjs: Sequence[int], anchors: Sequence[int]) -> list[Row]:
    """One list's rows from its items' genre, first adjective and anchor codes in rank order
    (0 none). Plain dicts filled in rank order: their insertion order is "by first member"."""
    n = len(genres)
    if not n:
        return []
    rows: list[Row] = [(ROW_TOP, 0, 0, 0, list(range(min(TOP_ROW, n))))]
    # Microgenres: (genre, first adjective) when there is an adjective, else the genre.
    groups: dict[tuple[int, int], list[int]] = {}
    for i, key in enumerate(zip(genres[TOP_ROW:], adjs[TOP_ROW:], strict=True), TOP_ROW):
        members = groups.get(key)
        if members is None:
            groups[key] = [i]
        else:
            members.append(i)
    used: set[int] = set()
    for (g, a), members in groups.items():
        if len(members) < ROW_MIN or not (g or a):
            continue
        if len(rows) >= MAX_ROWS:
            break
        kept = members[:ROW_MAX]
        rows.append((ROW_MICRO if a else ROW_GENRE, g, a, 0, kept))
        used.update(kept)
    by_anchor: dict[int, list[int]] = {}
    for i in range(TOP_ROW, n):  # the top row holds every earlier position
        anchor = anchors[i]
        if anchor and i not in used:
            members = by_anchor.get(anchor)
            if members is None:
                by_anchor[anchor] = [i]
            else:
                members.append(i)
    for anchor, members in by_anchor.items():
        if len(rows) >= MAX_ROWS:
            break
        if len(members) >= ROW_MIN:
            rows.append((ROW_BECAUSE, 0, 0, anchor, members[:ROW_MAX]))
    return rows
