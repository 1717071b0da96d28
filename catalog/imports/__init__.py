"""CSV imports of the catalogue: titles (``import_catalog``) and canonical tags (``import_tags``).

Every import follows one contract: read and validate the whole file first, report every bad
row with its line number (``ImportRejected``), and only then write, in bulk, in one
transaction — so a rejected file leaves the database untouched and a re-import changes nothing.
"""

from __future__ import annotations

from .csvfile import CsvFile, Errors, ImportRejected, RowError, csv_open, progress_bar
from .tags import TagsImportResult, tags_import
from .titles import CatalogImportResult, catalog_import

__all__ = [
    "CatalogImportResult",
    "CsvFile",
    "Errors",
    "ImportRejected",
    "RowError",
    "TagsImportResult",
    "catalog_import",
    "csv_open",
    "progress_bar",
    "tags_import",
]
