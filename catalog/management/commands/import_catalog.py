"""``manage.py import_catalog FILE.csv``: upsert titles (and their genres) from a CSV file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.imports import ImportRejected, catalog_import
from catalog.management.reporting import report_rejection


class Command(BaseCommand):
    help = (
        "Upsert titles by external_id from a CSV file with the columns "
        "external_id,title,year,kind,runtime_minutes,synopsis,genres (genres pipe-separated; "
        "optional media_url, poster_url, parent_external_id; other columns are ignored). "
        "The whole file is checked first: any bad row rejects it and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = catalog_import(path=options["file"], progress=not options["no_progress"])
        except ImportRejected as exc:
            report_rejection(self, exc)
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if result.genre_tags_created:
            self.stdout.write(f"Created genre tags: {', '.join(result.genre_tags_created)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} titles: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged; genres changed on {result.genres_changed} titles."
            )
        )
