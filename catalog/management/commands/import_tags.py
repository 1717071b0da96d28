"""``manage.py import_tags FILE.csv [--create-missing]``: set canonical tags from a CSV file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.imports import ImportRejected, tags_import
from catalog.management.reporting import report_rejection


class Command(BaseCommand):
    help = (
        "Set canonical tags from a long-format CSV file external_id,dimension,value (value: a "
        "tag's slug or label, an integer level 0-5 for ordinal dimensions, yes/no for boolean "
        "ones). Unknown titles, dimensions or tags reject the whole file unless "
        "--create-missing, which creates missing tags (never dimensions or titles)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8)")
        parser.add_argument(
            "--create-missing", action="store_true", help="create tags the taxonomy lacks"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = tags_import(
                path=options["file"],
                create_missing=options["create_missing"],
                progress=not options["no_progress"],
            )
        except ImportRejected as exc:
            report_rejection(self, exc)
        for dimension, slugs in result.tags_created.items():
            if slugs:
                self.stdout.write(f"Created {dimension} tags: {', '.join(slugs)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} rows for {result.titles} titles: canonical tags changed on "
                f"{result.titles_changed}, unchanged on {result.titles - result.titles_changed}."
            )
        )
