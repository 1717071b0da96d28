"""The thin layer between the database and the agreement maths: load submitted answers in bulk
(one query) and turn one dimension of them into long-form integer arrays."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import FloatField, Func
from django.db.models.fields.json import KT

from catalog.models import Dimension

from ...models import Tagging
from .core import DeltaFn, Level, delta_for, delta_nominal, set_distance_matrix

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Level of measurement per dimension kind (multi-select is per tag nominal + a set alpha).
LEVELS: dict[str, Level | str] = {
    Dimension.Kind.ORDINAL: "ordinal",
    Dimension.Kind.SINGLE: "nominal",
    Dimension.Kind.BOOLEAN: "nominal",
    Dimension.Kind.MULTI: "set",
}
ORDINAL_LEVELS = tuple(range(6))
#: Up to this many dimensions are extracted by the database instead of decoding whole documents.
_EXTRACT_MAX = 3


@dataclass(frozen=True)
class Answers:
    """Submitted taggings as parallel arrays, one row per tagging (R rows)."""

    tagging_ids: IntArray
    title_ids: IntArray
    tagger_ids: IntArray
    submitted_at: FloatArray  # Unix seconds
    seconds_spent: FloatArray
    values: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)


class Epoch(Func):
    """A datetime column as Unix seconds, computed by the database: parsing 30,000 datetimes
    in Python costs more than the agreement maths."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s) - 2440587.5) * 86400.0",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra
        )


def _parse_text(text: Any) -> Any:
    """A JSON value extracted as text by the database -> the Python value (lists, numbers,
    booleans come back as their JSON text; strings as themselves)."""
    if text is None or not isinstance(text, str):
        return text
    if text[:1] == "[":
        return json.loads(text)
    if text in {"true", "false"}:
        return text == "true"
    if text.lstrip("-").isdigit():
        return int(text)
    return text


def answers_load(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    tagger_ids: Iterable[int] | None = None,
    title_ids: Iterable[int] | None = None,
    dimensions: Sequence[str] | None = None,
) -> Answers:
    """Every submitted tagging matching the filters, in one query (no model instances).

    With a few ``dimensions`` only those keys are extracted, by the database, instead of
    decoding every tagging's whole JSON document in Python."""
    qs = Tagging.objects.filter(status=Tagging.Status.SUBMITTED)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    if until is not None:
        qs = qs.filter(submitted_at__lte=until)
    if tagger_ids is not None:
        qs = qs.filter(tagger_id__in=list(tagger_ids))
    if title_ids is not None:
        qs = qs.filter(title_id__in=list(title_ids))
    qs = qs.order_by().annotate(_epoch=Epoch("submitted_at"))
    if dimensions is None or len(dimensions) > _EXTRACT_MAX:
        # Many dimensions: decoding each document once beats parsing many extracted values.
        rows = list(
            qs.values_list("id", "title_id", "tagger_id", "_epoch", "seconds_spent", "values")
        )
        return answers_from_rows(rows)
    names = {f"_d{i}": KT(f"values__{slug}") for i, slug in enumerate(dimensions)}
    raw = list(
        qs.annotate(**names).values_list(
            "id", "title_id", "tagger_id", "_epoch", "seconds_spent", *names
        )
    )
    rows = []
    for r in raw:
        values = {
            slug: _parse_text(r[5 + i]) for i, slug in enumerate(dimensions) if r[5 + i] is not None
        }
        rows.append((r[0], r[1], r[2], r[3], r[4], values))
    return answers_from_rows(rows)


def answers_from_rows(rows: Sequence[tuple[int, int, int, Any, int, dict[str, Any]]]) -> Answers:
    """Rows of (tagging id, title id, tagger id, submitted at (datetime or Unix seconds),
    seconds spent, values)."""
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    return Answers(
        tagging_ids=np.fromiter(columns[0], dtype=np.int64, count=n),
        title_ids=np.fromiter(columns[1], dtype=np.int64, count=n),
        tagger_ids=np.fromiter(columns[2], dtype=np.int64, count=n),
        submitted_at=np.fromiter(
            (t.timestamp() if isinstance(t, datetime) else float(t or 0.0) for t in columns[3]),
            dtype=np.float64,
            count=n,
        ),
        seconds_spent=np.fromiter(columns[4], dtype=np.float64, count=n),
        values=list(columns[5]),
    )


@dataclass(frozen=True)
class DimensionData:
    """One dimension of ``Answers`` in long form.

    ``rows`` (N,) index into the answers; ``unit`` (N,) dense title index (``units[unit]`` is the
    title id); ``coder`` (N,) dense tagger index (``coders[coder]`` is the user id); ``value``
    (N,) code into ``domain``. For multi-select, ``chosen`` (N, T) marks the tags of each
    answer over ``tags`` and the domain holds the distinct sets (sorted tuples of slugs).
    """

    dimension: Dimension
    level: str
    rows: IntArray
    unit: IntArray
    coder: IntArray
    value: IntArray
    units: IntArray
    coders: IntArray
    domain: list[Any]
    tags: list[str] = field(default_factory=list)
    chosen: npt.NDArray[np.bool_] | None = None
    set_metric: str = "masi"

    @property
    def n_values(self) -> int:
        return len(self.domain)

    def delta(self) -> DeltaFn:
        """δ² of Krippendorff's alpha for this dimension's level of measurement."""
        if self.level == "set":
            matrix = self.set_distances()
            return lambda _n_c: matrix
        if self.level == "ordinal":
            return delta_for("ordinal", self.domain)
        return delta_nominal(self.n_values)

    def set_distances(self) -> FloatArray:
        index = {slug: i for i, slug in enumerate(self.tags)}
        indicator = np.zeros((self.n_values, len(self.tags)), dtype=bool)
        for code, tagset in enumerate(self.domain):
            indicator[code, [index[s] for s in tagset]] = True
        return set_distance_matrix(
            indicator, metric="jaccard" if self.set_metric == "jaccard" else "masi"
        )

    def unit_distance(self) -> FloatArray:
        """(V, V) distance scaled to 0..1 for per-title figures: mismatch for nominal, level gap
        / 5 for ordinal, the set distance for multi-select."""
        if self.level == "set":
            return self.set_distances()
        if self.level == "ordinal":
            x = np.asarray(self.domain, dtype=np.float64)
            return np.abs(x[:, None] - x[None, :]) / (ORDINAL_LEVELS[-1] - ORDINAL_LEVELS[0])
        return 1.0 - np.eye(self.n_values)


def dimension_data(
    answers: Answers,
    dimension: Dimension,
    *,
    tag_slugs: Sequence[str] = (),
    set_metric: str = "masi",
) -> DimensionData:
    """Extract one dimension. Missing answers are left out (Krippendorff's missing data), except
    for multi-select where a submitted tagging without the dimension chose no tag (the form
    stores an empty choice by leaving the key out)."""
    slug, kind = dimension.slug, dimension.kind
    level = str(LEVELS[kind])
    rows: list[int] = []
    raw: list[Any] = []
    for r, values in enumerate(answers.values):
        v = values.get(slug) if values else None
        if v is None or v == []:
            if kind != Dimension.Kind.MULTI:
                continue
            v = []
        rows.append(r)
        raw.append(v)
    row_idx = np.asarray(rows, dtype=np.int64)
    units, unit = np.unique(answers.title_ids[row_idx], return_inverse=True)
    coders, coder = np.unique(answers.tagger_ids[row_idx], return_inverse=True)
    tags: list[str] = []
    chosen = None
    if kind == Dimension.Kind.ORDINAL:
        domain: list[Any] = list(ORDINAL_LEVELS)
        value = np.clip(np.asarray(raw, dtype=np.int64), 0, 5)
    elif kind == Dimension.Kind.BOOLEAN:
        domain = [False, True]
        value = np.asarray([1 if v else 0 for v in raw], dtype=np.int64)
    elif kind == Dimension.Kind.SINGLE:
        domain = list(dict.fromkeys([*tag_slugs, *sorted(set(map(str, raw)))]))
        index = {s: i for i, s in enumerate(domain)}
        value = np.asarray([index[str(v)] for v in raw], dtype=np.int64)
    else:
        extra = sorted({s for v in raw for s in v} - set(tag_slugs))
        tags = [*tag_slugs, *extra]
        sets = [tuple(v) if len(v) < 2 else tuple(sorted(v)) for v in raw]
        domain = list(dict.fromkeys(sets))
        index_sets = {s: i for i, s in enumerate(domain)}
        value = np.asarray([index_sets[s] for s in sets], dtype=np.int64)
        tag_index = {s: i for i, s in enumerate(tags)}
        chosen = np.zeros((len(sets), len(tags)), dtype=bool)
        if sets:
            r_idx = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
            c_idx = np.fromiter((tag_index[t] for s in sets for t in s), dtype=np.int64)
            chosen[r_idx, c_idx] = True
    return DimensionData(
        dimension=dimension,
        level=level,
        rows=row_idx,
        unit=unit.astype(np.int64),
        coder=coder.astype(np.int64),
        value=value.reshape(-1).astype(np.int64),
        units=units,
        coders=coders,
        domain=domain,
        tags=tags,
        chosen=chosen,
        set_metric=set_metric,
    )
