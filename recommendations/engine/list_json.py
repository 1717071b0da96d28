"""The stored items' JSON text for a block of lists, without formatting each number.

Every value becomes a token looked up in a table of pre-formatted text: the number followed by
"," (another item follows), bare (the list's last item) or "" (past the list's end). A list's
text is then one join of its tokens, not a join and a separator pass per field.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Rows of a token table: before another item, the list's last item, past the list's end.
MORE, LAST, PAST = 0, 1, 2
#: The stored items' keys, in ``RecommendationList``'s order.
ITEM_KEYS = "tsgabhc"


def token_table(texts: Sequence[str]) -> np.ndarray:
    """(3, n) object: each text followed by ",", bare, and "" (indexed ``[place, value]``)."""
    return np.array([[t + "," for t in texts], list(texts), [""] * len(texts)], dtype=object)


def token_places(lengths: np.ndarray, k: int) -> np.ndarray:
    """(b, k) int64: each position's token table row, given the (b,) list lengths."""
    position = np.arange(k)[None, :]
    last = np.asarray(lengths, np.int64)[:, None] - 1
    return np.where(position < last, MORE, np.where(position == last, LAST, PAST))


#: Integers whose tokens are tabled (scores in units of 1/10,000 stay far within).
_SPAN = 100_000
_numbers: list[np.ndarray] = []


def number_tokens(values: np.ndarray, places: np.ndarray) -> np.ndarray:
    """(b, k) object tokens of int64 ``values`` (b, k); those beyond the table are formatted."""
    if not _numbers:
        _numbers.append(token_table([str(v) for v in range(-_SPAN, _SPAN + 1)]))
    at = values + _SPAN
    inside = (at >= 0) & (at <= 2 * _SPAN)
    tokens: np.ndarray = _numbers[0][places, np.where(inside, at, 0)]
    for i, j in zip(*np.nonzero(~inside & (places != PAST)), strict=True):
        tokens[i, j] = str(int(values[i, j])) + ("," if places[i, j] == MORE else "")
    return tokens


def items_json(columns: Sequence[np.ndarray]) -> list[str]:
    """Each list's items as JSON text, from (b, k) token arrays in ``ITEM_KEYS`` order."""
    b, k = columns[0].shape
    parts = np.empty((b, len(columns) * (k + 1) + 1), dtype=object)
    for f, (key, tokens) in enumerate(zip(ITEM_KEYS, columns, strict=True)):
        start = f * (k + 1)
        parts[:, start] = ('{"' if f == 0 else '],"') + key + '":['
        parts[:, start + 1 : start + k + 1] = tokens
    parts[:, -1] = "]}"
    return ["".join(row) for row in parts.tolist()]
