"""``export_recommendations FILE.csv``: columns subscriber,rank,external_id,score,reason."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from recommendations.selectors import lists_for_export


class Command(BaseCommand):
    help = "Write every stored recommendation list to a CSV file (subscriber,rank,external_id,score,reason)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file to write ('-' for standard output)")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the reasons (default: LANGUAGE_CODE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["file"]
        if target == "-":
            self._write(self.stdout, progress=False, language=options["language"])
            return
        path = Path(target)
        if not path.parent.exists():
            raise CommandError(f"folder {path.parent} does not exist")
        # Written beside the target and renamed: an interrupted export leaves no half file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".csv")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
                count = self._write(handle, progress=True, language=options["language"])
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stdout.write(f"wrote {count} rows to {path}")

    def _write(self, handle: Any, *, progress: bool, language: str) -> int:
        writer = csv.writer(handle)
        writer.writerow(["subscriber", "rank", "external_id", "score", "reason"])
        count = 0
        lists = lists_for_export(language=language)
        for username, rows in tqdm(
            lists, unit="list", disable=not progress or None, desc="exporting"
        ):
            for rank, external_id, score, reason in rows:
                writer.writerow([username, rank, external_id, f"{score:.4f}", reason])
                count += 1
        return count
