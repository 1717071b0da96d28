"""``import_catalog``: titles upserted by ``external_id`` from a CSV file, in bulk.

Columns: ``external_id,title`` (required), ``year,kind,runtime_minutes,synopsis,genres``
(the documented set), and optionally ``media_url,poster_url,parent_external_id``. Unknown
columns are ignored. A column that is absent leaves that field of existing titles alone; a
column that is present is authoritative (an empty cell clears the field). ``genres`` is
pipe-separated and merged into the titles' canonical ``genre`` tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from ..models import CanonicalTags, Dimension, Title
from .bulk import rows_insert, rows_update
from .canonical import canonical_tags_merge_bulk
from .csvfile import Errors, chunked, csv_open, import_transaction, progress_bar
from .taxonomy import RETIRED, TagMatcher, tags_create

REQUIRED = ("external_id", "title")
OPTIONAL = ("year", "kind", "runtime_minutes", "synopsis", "media_url", "poster_url")
GENRE_DIMENSION = "genre"
MIN_YEAR, MAX_YEAR = 1870, 2100
MAX_RUNTIME = 32767
KINDS = frozenset(Title.Kind.values)
IN_CHUNK = 900  # ids per ``__in`` query: stays under SQLite's variable limit everywhere
WRITE_BATCH = 2000

MISSING_EXTERNAL_ID = "missing external_id"
EXTERNAL_ID_TOO_LONG = "external_id is longer than 64 characters"
DUPLICATE_EXTERNAL_ID = "duplicate external_id “%(value)s” (first on line %(first)s)"
MISSING_TITLE = "missing title"
TITLE_TOO_LONG = "title is longer than 300 characters"
BAD_YEAR = "bad year “%(value)s”: expected a year from 1870 to 2100"
BAD_KIND = "bad kind “%(value)s”: expected movie, series or episode"
BAD_RUNTIME = "bad runtime_minutes “%(value)s”: expected a whole number of minutes from 1 to 32767"
BAD_URL = "bad %(column)s “%(value)s”: expected an http(s) URL of at most 500 characters"
PARENT_NOT_EPISODE = "parent_external_id is only for episodes (this row's kind is %(kind)s)"
PARENT_SELF = "an episode cannot be its own parent"
PARENT_UNKNOWN = "unknown parent_external_id “%(value)s” (not in this file nor in the catalogue)"
PARENT_NOT_SERIES = "parent “%(value)s” is a %(kind)s, not a series"
GENRE_UNCREATABLE = "genre %(reason)s"
NO_GENRE_DIMENSION = (
    "the taxonomy has no active “genre” dimension, so the genres column was ignored"
)

_url = URLValidator(schemes=["http", "https"])


@dataclass(slots=True)
class TitleRow:
    line: int
    external_id: str
    fields: dict[str, Any]
    genres: list[str]
    parent_external_id: str | None  # None: no such column; "": no parent


@dataclass
class CatalogImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    genres_changed: int = 0
    genre_tags_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def catalog_import(*, path: Path | str, progress: bool = True) -> CatalogImportResult:
    """Validate the whole file, then upsert its titles and genres in one transaction.

    Raises ``ImportRejected`` (listing every bad row with its line number) and writes nothing
    when any row is bad.
    """
    errors = Errors()
    with csv_open(path, required=REQUIRED) as table:
        columns = [name for name in (*REQUIRED, *OPTIONAL) if table.column(name) is not None]
        rows = _parse(table, columns, errors, progress)
        has_genres = table.column("genres") is not None
        has_parent = table.column("parent_external_id") is not None

    result = CatalogImportResult(rows=len(rows))
    parents = _check_parents(rows, errors) if has_parent else {}
    genre = _genre_dimension() if has_genres else None
    if has_genres and genre is None and any(row.genres for row in rows):
        result.warnings.append(NO_GENRE_DIMENSION)
    matcher = TagMatcher.load(genre) if genre is not None else None
    missing_genres = _check_genres(rows, matcher, errors) if matcher is not None else []
    errors.raise_if_any(path)

    with import_transaction(path):
        if matcher is not None and missing_genres:
            created = tags_create(
                matcher=matcher, values=missing_genres, reason=f"import_catalog {Path(path).name}"
            )
            result.genre_tags_created = [tag.slug for tag in created]
        ids, touched = _upsert_titles(rows, columns, result, progress)
        if has_parent:
            # A title whose only change is its parent counts as updated too.
            reparented = [pk for pk in _set_parents(rows, ids, parents) if pk not in touched]
            result.updated += len(reparented)
            result.unchanged -= len(reparented)
        if matcher is not None:
            changes = {
                ids[row.external_id]: {
                    GENRE_DIMENSION: sorted({_slug(matcher, g) for g in row.genres})
                }
                for row in rows
                if row.genres
            }
            changed = canonical_tags_merge_bulk(
                changes=changes,
                source=CanonicalTags.Source.IMPORTED,
                reason=f"import_catalog {Path(path).name}",
                progress=progress,
            )
            result.genres_changed = len(changed)
    return result


def _slug(matcher: TagMatcher, value: str) -> str:
    tag = matcher.match(value)
    assert tag is not None  # checked (or created) before writing
    return tag.slug


def _parse(table: Any, columns: list[str], errors: Errors, progress: bool) -> list[TitleRow]:
    index = {name: table.column(name) for name in (*columns, "genres", "parent_external_id")}
    genres_at, parent_at = index["genres"], index["parent_external_id"]
    seen: dict[str, int] = {}
    rows: list[TitleRow] = []
    for line, cells in table.rows(errors, desc="checking titles", progress=progress):
        before = len(errors)
        values: dict[str, Any] = {}
        external_id = cells[index["external_id"]].strip()
        if not external_id:
            errors.add(line, MISSING_EXTERNAL_ID)
        elif len(external_id) > 64:
            errors.add(line, EXTERNAL_ID_TOO_LONG)
        elif external_id in seen:
            errors.add(
                line, DUPLICATE_EXTERNAL_ID % {"value": external_id, "first": seen[external_id]}
            )
        else:
            seen[external_id] = line
        for name in columns[1:]:
            raw = cells[index[name]].strip()
            try:
                values[name] = _CLEANERS[name](raw)
            except ValueError as exc:
                errors.add(line, str(exc))
        parent: str | None = None
        if parent_at is not None:
            parent = cells[parent_at].strip()
            if parent and parent == external_id:
                errors.add(line, PARENT_SELF)
        genres: list[str] = []
        if genres_at is not None:
            folded: set[str] = set()
            for value in cells[genres_at].split("|"):
                value = value.strip()
                if value and value.lower() not in folded:
                    folded.add(value.lower())
                    genres.append(value)
        if len(errors) == before:
            rows.append(TitleRow(line, external_id, values, genres, parent))
    return rows


def _clean_title(raw: str) -> str:
    if not raw:
        raise ValueError(MISSING_TITLE)
    if len(raw) > 300:
        raise ValueError(TITLE_TOO_LONG)
    return raw


def _clean_year(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        raise ValueError(BAD_YEAR % {"value": raw})
    return int(raw)


def _clean_kind(raw: str) -> str:
    kind = raw.lower() or Title.Kind.MOVIE
    if kind not in KINDS:
        raise ValueError(BAD_KIND % {"value": raw})
    return kind


def _clean_runtime(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RUNTIME:
        raise ValueError(BAD_RUNTIME % {"value": raw})
    return int(raw)


def _url_cleaner(column: str) -> Any:
    def clean(raw: str) -> str:
        if not raw:
            return ""
        try:
            if len(raw) > 500:
                raise ValidationError("too long")
            _url(raw)
        except ValidationError:
            raise ValueError(BAD_URL % {"column": column, "value": raw[:80]}) from None
        return raw

    return clean


_CLEANERS: dict[str, Any] = {
    "title": _clean_title,
    "year": _clean_year,
    "kind": _clean_kind,
    "runtime_minutes": _clean_runtime,
    "synopsis": lambda raw: raw,
    "media_url": _url_cleaner("media_url"),
    "poster_url": _url_cleaner("poster_url"),
}


def _check_parents(rows: list[TitleRow], errors: Errors) -> dict[str, int]:
    """Only episodes name a parent, and it must be a series, in this file or already in the
    catalogue. Returns the catalogue ids of the parents that are not in the file."""
    in_file = {row.external_id: row for row in rows}
    wanted = {row.parent_external_id for row in rows if row.parent_external_id}
    lookup = [
        ext for ext in wanted | set(in_file) if ext in wanted or "kind" not in in_file[ext].fields
    ]
    stored: dict[str, tuple[int, str]] = {}
    for batch in chunked(lookup, IN_CHUNK):
        stored.update(
            (ext, (pk, kind))
            for ext, pk, kind in Title.objects.filter(external_id__in=batch).values_list(
                "external_id", "id", "kind"
            )
        )

    def kind_of(ext: str) -> str | None:
        row = in_file.get(ext)
        if row is not None and "kind" in row.fields:
            return str(row.fields["kind"])
        if ext in stored:
            return stored[ext][1]
        return Title.Kind.MOVIE if row is not None else None  # a new title without a kind column

    for row in rows:
        parent = row.parent_external_id
        if not parent:
            continue
        kind = kind_of(row.external_id)
        if kind != Title.Kind.EPISODE:
            errors.add(row.line, PARENT_NOT_EPISODE % {"kind": kind})
            continue
        parent_kind = kind_of(parent)
        if parent_kind is None:
            errors.add(row.line, PARENT_UNKNOWN % {"value": parent})
        elif parent_kind != Title.Kind.SERIES:
            errors.add(row.line, PARENT_NOT_SERIES % {"value": parent, "kind": parent_kind})
    return {ext: pk for ext, (pk, _kind) in stored.items() if ext in wanted and ext not in in_file}


def _genre_dimension() -> Dimension | None:
    return Dimension.objects.filter(slug=GENRE_DIMENSION, active=True).first()


def _check_genres(rows: list[TitleRow], matcher: TagMatcher, errors: Errors) -> list[str]:
    """Report retired or impossible genres; return the values that need a new tag."""
    missing: dict[str, str] = {}
    for row in rows:
        for value in row.genres:
            tag = matcher.match(value)
            if tag is not None:
                if not tag.active:
                    errors.add(row.line, RETIRED % {"dimension": GENRE_DIMENSION, "slug": tag.slug})
                continue
            problem = matcher.creatable(value)
            if problem:
                errors.add(row.line, GENRE_UNCREATABLE % {"reason": problem})
            else:
                missing.setdefault(value.strip().lower(), value.strip())
    return list(missing.values())


def _upsert_titles(
    rows: list[TitleRow], columns: list[str], result: CatalogImportResult, progress: bool
) -> tuple[dict[str, int], set[int]]:
    """Create new titles and update changed ones; returns external_id -> id for every row and
    the ids of the titles created or updated."""
    fields = [name for name in columns if name != "external_id"]
    # Plain tuples, not model instances: building 100,000 instances costs seconds.
    existing: dict[str, tuple[Any, ...]] = {}
    external_ids = [row.external_id for row in rows]
    for batch in chunked(external_ids, IN_CHUNK):
        for stored in Title.objects.filter(external_id__in=batch).values_list(
            "external_id", "id", *fields
        ):
            existing[stored[0]] = stored[1:]

    now = timezone.now()
    to_create: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    for row in rows:
        stored = existing.get(row.external_id)
        if stored is None:
            to_create.append({"external_id": row.external_id, **row.fields})
        elif any(stored[i] != row.fields[name] for i, name in enumerate(fields, start=1)):
            to_update.append({"id": stored[0], **row.fields, "updated_at": now})

    with progress_bar(
        total=len(to_create) + len(to_update), desc="writing titles", enabled=progress
    ) as bar:
        for new in chunked(to_create, WRITE_BATCH):
            rows_insert(Title, new)
            bar.update(len(new))
        for stale in chunked(to_update, WRITE_BATCH):
            rows_update(Title, stale, [*fields, "updated_at"])
            bar.update(len(stale))
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(rows) - len(to_create) - len(to_update)

    ids = {ext: stored[0] for ext, stored in existing.items()}
    created_ids = [title["external_id"] for title in to_create]
    for batch in chunked(created_ids, IN_CHUNK):
        ids.update(Title.objects.filter(external_id__in=batch).values_list("external_id", "id"))
    touched = {ids[ext] for ext in created_ids} | {title["id"] for title in to_update}
    return ids, touched


def _set_parents(rows: list[TitleRow], ids: dict[str, int], outside: dict[str, int]) -> list[int]:
    """Point episodes at their series (or at none); returns the ids of the titles changed."""
    wanted: dict[int, int | None] = {}
    for row in rows:
        parent = row.parent_external_id
        if parent is not None:
            wanted[ids[row.external_id]] = (ids.get(parent) or outside[parent]) if parent else None
    current: dict[int, int | None] = {}
    for batch in chunked(list(wanted), IN_CHUNK):
        current.update(Title.objects.filter(pk__in=batch).values_list("id", "parent_id"))
    stale = [pk for pk, parent_id in wanted.items() if current.get(pk) != parent_id]
    now = timezone.now()
    titles = [{"id": pk, "parent_id": wanted[pk], "updated_at": now} for pk in stale]
    rows_update(Title, titles, ["parent_id", "updated_at"])
    return stale
