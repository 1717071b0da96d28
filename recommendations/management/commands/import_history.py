"""``manage.py import_history FILE.csv``: viewing history from a CSV file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.imports import ImportRejected
from catalog.management.reporting import report_rejection
from recommendations.services.history import history_import


class Command(BaseCommand):
    help = (
        "Import viewing history from a CSV file with the columns subscriber,external_id,event,"
        "rating,timestamp (event: watched, rated, liked, disliked or not_interested; rating 0.5-5, "
        "required for rated; timestamp ISO 8601 or Unix seconds). Unknown usernames become "
        "subscriber accounts without a usable password. Any bad row rejects the whole file; "
        "re-importing a file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = history_import(path=options["file"], progress=not options["no_progress"])
        except ImportRejected as exc:
            report_rejection(self, exc)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.rows} events of {result.subscribers} subscribers "
                f"({result.subscribers_created} new accounts): {result.inserted} added, "
                f"{result.already_present} already present; {result.subscribers_changed} "
                "subscribers' lists queued for a rebuild."
            )
        )
