"""``import_tags``: canonical tags from a long-format CSV ``external_id,dimension,value``.

One row per value: a multi-select dimension collects all its rows for a title, the other kinds
take exactly one. ``value`` is a tag's slug or label (case-insensitive), an integer level for
ordinal dimensions, or yes/no for boolean ones. The dimensions named for a title replace that
title's values for those dimensions; its other dimensions are kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models import CanonicalTags, Dimension, Title
from ..values import Codebook, values_clean
from .canonical import canonical_tags_merge_bulk
from .csvfile import Errors, chunked, csv_open, import_transaction
from .taxonomy import RETIRED, TagMatcher, tags_create

REQUIRED = ("external_id", "dimension", "value")
IN_CHUNK = 900
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})

MISSING_EXTERNAL_ID = "missing external_id"
MISSING_DIMENSION = "missing dimension"
MISSING_VALUE = "missing value"
UNKNOWN_TITLE = "unknown title “%(value)s”"
UNKNOWN_DIMENSION = "unknown dimension “%(value)s”"
RETIRED_DIMENSION = "the dimension “%(value)s” is retired"
UNKNOWN_TAG = "unknown %(dimension)s tag “%(value)s” (use --create-missing to create it)"
UNCREATABLE_TAG = "%(dimension)s: %(reason)s"
BAD_LEVEL = "bad %(dimension)s level “%(value)s”: expected 0 to 5 or a level's label"
BAD_BOOLEAN = "bad %(dimension)s value “%(value)s”: expected yes or no"
CONFLICT = "%(dimension)s takes one value but title “%(title)s” gets “%(value)s” here and “%(other)s” on line %(line)s"


@dataclass
class TagsImportResult:
    rows: int = 0
    titles: int = 0
    titles_changed: int = 0
    tags_created: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Value:
    line: int
    value: Any  # tag slug, level, bool, or the raw text of a tag still to create
    pending: bool = False


def tags_import(
    *, path: Path | str, create_missing: bool = False, progress: bool = True
) -> TagsImportResult:
    """Validate the whole file, then set the canonical tags it names in one transaction.

    Unknown titles, dimensions and tags reject the file (``ImportRejected`` with every line);
    ``create_missing`` creates the missing tags of select dimensions — never dimensions,
    levels or titles.
    """
    errors = Errors()
    codebook = Codebook.load()
    dimensions = _dimension_index(codebook)
    matchers: dict[str, TagMatcher] = {}
    raw: list[tuple[int, str, Dimension, str]] = []
    with csv_open(path, required=REQUIRED) as table:
        at = [table.column(name) for name in REQUIRED]
        for line, cells in table.rows(errors, desc="checking tags", progress=progress):
            external_id, dim_name, value = (cells[i].strip() for i in at)  # type: ignore[index]
            problems = [
                message
                for message, missing in (
                    (MISSING_EXTERNAL_ID, not external_id),
                    (MISSING_DIMENSION, not dim_name),
                    (MISSING_VALUE, not value),
                )
                if missing
            ]
            for message in problems:
                errors.add(line, message)
            if problems:
                continue
            dimension = dimensions.get(dim_name.lower())
            if dimension is None:
                errors.add(line, UNKNOWN_DIMENSION % {"value": dim_name})
            elif not dimension.active:
                errors.add(line, RETIRED_DIMENSION % {"value": dimension.slug})
            else:
                raw.append((line, external_id, dimension, value))

    titles = _title_ids({external_id for _line, external_id, _dim, _value in raw})
    grouped: dict[str, dict[str, list[_Value]]] = defaultdict(lambda: defaultdict(list))
    to_create: dict[str, dict[str, str]] = defaultdict(dict)
    for line, external_id, dimension, value in raw:
        if external_id not in titles:
            errors.add(line, UNKNOWN_TITLE % {"value": external_id})
            continue
        resolved = _resolve(line, dimension, value, matchers, create_missing, errors)
        if resolved is None:
            continue
        if resolved.pending:
            to_create[dimension.slug].setdefault(value.lower(), value)
        answers = grouped[external_id][dimension.slug]
        if dimension.kind != Dimension.Kind.MULTI and answers:
            first = answers[0]
            if _same(first, resolved):
                continue
            errors.add(
                line,
                CONFLICT
                % {
                    "dimension": dimension.slug,
                    "title": external_id,
                    "value": value,
                    "other": first.value,
                    "line": first.line,
                },
            )
            continue
        answers.append(resolved)
    errors.raise_if_any(path)

    result = TagsImportResult(rows=len(raw), titles=len(grouped))
    with import_transaction(path):
        for slug, values in to_create.items():
            created = tags_create(
                matcher=matchers[slug],
                values=values.values(),
                reason=f"import_tags {Path(path).name}",
            )
            result.tags_created[slug] = [tag.slug for tag in created]
        if to_create:
            codebook = Codebook.load()
        changes: dict[int, dict[str, Any]] = {}
        for external_id, by_dimension in grouped.items():
            values = {
                slug: _final(codebook.dimensions[slug], answers, matchers.get(slug))
                for slug, answers in by_dimension.items()
            }
            changes[titles[external_id]] = values_clean(values, codebook=codebook)
        changed = canonical_tags_merge_bulk(
            changes=changes,
            source=CanonicalTags.Source.IMPORTED,
            reason=f"import_tags {Path(path).name}",
            progress=progress,
        )
        result.titles_changed = len(changed)
    return result


def _dimension_index(codebook: Codebook) -> dict[str, Dimension]:
    index: dict[str, Dimension] = {}
    for dimension in codebook.dimensions.values():
        index.setdefault(dimension.label.strip().lower(), dimension)
    for dimension in codebook.dimensions.values():
        index[dimension.slug.lower()] = dimension
    return index


def _title_ids(external_ids: set[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for batch in chunked(sorted(external_ids), IN_CHUNK):
        ids.update(Title.objects.filter(external_id__in=batch).values_list("external_id", "id"))
    return ids


def _resolve(
    line: int,
    dimension: Dimension,
    value: str,
    matchers: dict[str, TagMatcher],
    create_missing: bool,
    errors: Errors,
) -> _Value | None:
    kind = dimension.kind
    if kind == Dimension.Kind.BOOLEAN:
        word = value.lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return _Value(line, word in TRUE_WORDS)
        errors.add(line, BAD_BOOLEAN % {"dimension": dimension.slug, "value": value})
        return None
    matcher = matchers.get(dimension.slug)
    if matcher is None:
        matcher = matchers[dimension.slug] = TagMatcher.load(dimension)
    if kind == Dimension.Kind.ORDINAL:
        if value.isdigit() and 0 <= int(value) <= 5:
            return _Value(line, int(value))
        tag = matcher.match(value)
        if tag is not None and tag.level is not None:
            return _Value(line, tag.level)
        errors.add(line, BAD_LEVEL % {"dimension": dimension.slug, "value": value})
        return None
    tag = matcher.match(value)
    if tag is not None:
        if not tag.active:
            errors.add(line, RETIRED % {"dimension": dimension.slug, "slug": tag.slug})
            return None
        return _Value(line, tag.slug)
    if not create_missing:
        errors.add(line, UNKNOWN_TAG % {"dimension": dimension.slug, "value": value})
        return None
    problem = matcher.creatable(value)
    if problem:
        errors.add(line, UNCREATABLE_TAG % {"dimension": dimension.slug, "reason": problem})
        return None
    return _Value(line, value, pending=True)


def _same(a: _Value, b: _Value) -> bool:
    if a.pending or b.pending:
        return str(a.value).strip().lower() == str(b.value).strip().lower()
    return bool(a.value == b.value)


def _final(dimension: Dimension, answers: list[_Value], matcher: TagMatcher | None) -> Any:
    """The value in the shared JSON shape, with tags created for this file now resolved."""

    def slug(answer: _Value) -> Any:
        if not answer.pending:
            return answer.value
        assert matcher is not None
        tag = matcher.match(str(answer.value))
        assert tag is not None  # created just before
        return tag.slug

    if dimension.kind == Dimension.Kind.MULTI:
        return sorted({slug(answer) for answer in answers})
    return slug(answers[0])
