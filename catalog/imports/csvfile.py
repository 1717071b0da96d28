"""Reading import CSV files: header checks, rows with their line numbers, error collection.

Every import validates the whole file before writing anything, so readers here only collect
problems (``RowError``) and the importer raises ``ImportRejected`` once, listing all of them.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.db import IntegrityError, transaction
from tqdm import tqdm

T = TypeVar("T")

#: Files with at least this many rows show a progress bar (on stderr).
PROGRESS_MIN_ROWS = 1000
#: How many row errors the one-line reason quotes before "… and N more".
SUMMARY_ERRORS = 10

CANNOT_READ = "cannot read %(path)s: %(error)s"
NOT_UTF8 = "%(path)s is not UTF-8 text (line %(line)s)"
EMPTY_FILE = "%(path)s is empty: expected a header line"
MISSING_COLUMNS = "%(path)s lacks the required column(s) %(columns)s (header: %(header)s)"
DUPLICATE_COLUMNS = "%(path)s names the column(s) %(columns)s twice"
TOO_MANY_FIELDS = "%(count)s fields but the header has %(expected)s (an unquoted comma?)"
CONCURRENT_CHANGE = (
    "%(path)s: the database changed while importing (%(error)s); nothing was imported, run it again"
)


@dataclass(frozen=True, order=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(Exception):
    """The file was rejected as a whole; nothing was written.

    ``reason`` is the one-line explanation; ``errors`` lists every bad row (may be empty when
    the file itself is unusable, e.g. a missing column).
    """

    def __init__(self, reason: str, errors: Sequence[RowError] = ()) -> None:
        self.reason = reason
        self.errors = sorted(errors)
        super().__init__(self.one_line())

    def one_line(self, limit: int = SUMMARY_ERRORS) -> str:
        if not self.errors:
            return self.reason
        quoted = "; ".join(str(error) for error in self.errors[:limit])
        more = len(self.errors) - limit
        tail = f"; … and {more} more" if more > 0 else ""
        return f"{self.reason}: {quoted}{tail}"


@dataclass
class Errors:
    """Collects row errors while a file is validated."""

    items: list[RowError] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        self.items.append(RowError(line, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self, path: Path | str, noun: str = "row") -> None:
        if not self.items:
            return
        lines = len({error.line for error in self.items})
        plural = "" if lines == 1 else "s"
        raise ImportRejected(
            f"{Path(path).name}: {lines} bad {noun}{plural}, nothing was imported", self.items
        )


@dataclass
class CsvFile:
    """An open CSV file: its normalised header and an iterator over ``(line, fields)``.

    Use as a context manager. ``column(name)`` gives a column's index (or None when absent).
    """

    path: Path
    header: list[str]
    total_rows: int
    _handle: IO[str]
    _reader: Any

    def column(self, name: str) -> int | None:
        try:
            return self.header.index(name)
        except ValueError:
            return None

    def rows(
        self, errors: Errors, *, desc: str = "", progress: bool = True
    ) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(line number, fields)`` for every non-blank record, padding short records
        with empty strings; records with too many fields are reported in ``errors``."""
        width = len(self.header)
        reader = self._reader
        bar = progress_bar(total=self.total_rows, desc=desc or self.path.name, enabled=progress)
        try:
            while True:
                start = reader.line_num + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError as exc:
                    raise ImportRejected(
                        NOT_UTF8 % {"path": self.path.name, "line": start}
                    ) from exc
                except csv.Error as exc:
                    errors.add(start, f"unreadable CSV ({exc})")
                    continue
                bar.update(1)
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                if len(fields) > width:
                    if any(value.strip() for value in fields[width:]):
                        errors.add(
                            start, TOO_MANY_FIELDS % {"count": len(fields), "expected": width}
                        )
                        continue
                    fields = fields[:width]
                elif len(fields) < width:
                    fields = fields + [""] * (width - len(fields))
                yield start, fields
        finally:
            bar.close()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def csv_open(path: Path | str, *, required: Iterable[str]) -> CsvFile:
    """Open ``path`` (UTF-8, optional BOM), read and check its header.

    Column names are compared case-insensitively with surrounding spaces ignored; unknown
    columns are allowed (the importers ignore them). Raises ``ImportRejected``.
    """
    path = Path(path)
    try:
        total = _count_lines(path)
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportRejected(CANNOT_READ % {"path": path, "error": exc.strerror or exc}) from exc
    reader = csv.reader(handle)
    try:
        raw_header = next(reader)
    except StopIteration:
        handle.close()
        raise ImportRejected(EMPTY_FILE % {"path": path.name}) from None
    except UnicodeDecodeError as exc:
        handle.close()
        raise ImportRejected(NOT_UTF8 % {"path": path.name, "line": 1}) from exc
    header = [name.strip().lower() for name in raw_header]
    if not any(header):
        handle.close()
        raise ImportRejected(EMPTY_FILE % {"path": path.name})
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    missing = [name for name in required if name not in header]
    if duplicates or missing:
        handle.close()
        if missing:
            raise ImportRejected(
                MISSING_COLUMNS
                % {"path": path.name, "columns": ", ".join(missing), "header": ",".join(header)}
            )
        raise ImportRejected(
            DUPLICATE_COLUMNS % {"path": path.name, "columns": ", ".join(duplicates)}
        )
    return CsvFile(
        path=path, header=header, total_rows=max(total - 1, 0), _handle=handle, _reader=reader
    )


@contextmanager
def import_transaction(path: Path | str) -> Iterator[None]:
    """The one transaction an import writes in. A constraint broken by a concurrent writer
    (someone created the same title meanwhile) rejects the file instead of crashing."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        first_line = (str(exc).strip().splitlines() or ["integrity error"])[0]
        raise ImportRejected(
            CONCURRENT_CHANGE % {"path": Path(path).name, "error": first_line}
        ) from exc


def _count_lines(path: Path) -> int:
    """Physical lines, for the progress bar's total (fast: counts newlines in binary blocks)."""
    count = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def progress_bar(
    *, total: int | None, desc: str, enabled: bool = True, unit: str = "row"
) -> tqdm[Any]:
    """A tqdm bar on stderr, shown only for long work (``total`` >= PROGRESS_MIN_ROWS)."""
    show = enabled and total is not None and total >= PROGRESS_MIN_ROWS
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        disable=not show,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.25,
    )


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
