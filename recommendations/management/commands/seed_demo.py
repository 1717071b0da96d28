"""``manage.py seed_demo``: load the shipped demo (idempotent; ``make run`` calls it)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.imports import ImportRejected
from recommendations.services.demo_seed import DATA_DIR, DEMO_PASSWORD, demo_logins, demo_seed


class Command(BaseCommand):
    help = (
        "Load the demo: the real MovieLens catalogue and viewing histories shipped in data/demo/, "
        "demo accounts (password tagline-demo) and a simulated working state for taggers and "
        "editors. Safe to run again: a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir", type=Path, default=DATA_DIR, help="folder with titles.csv and history.csv"
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            metavar="N",
            help="only the first N titles and the history about them (tests, quick looks)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir: Path = options["data_dir"]
        for name in ("titles.csv", "history.csv"):
            if not (data_dir / name).is_file():
                raise CommandError(
                    f"{data_dir / name} is missing: run `make demo-data` or pass --data-dir"
                )
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        started = time.perf_counter()
        verbose = options["verbosity"] >= 2
        try:
            result = demo_seed(
                data_dir=data_dir,
                limit=options["limit"],
                progress=not options["no_progress"],
                log=(lambda step: self.stdout.write(f"… {step}"))
                if verbose
                else (lambda step: None),
            )
        except ImportRejected as exc:
            raise CommandError(f"the demo data is invalid: {exc.one_line()}") from exc
        catalog, history = result.catalog, result.history
        assert catalog is not None
        assert history is not None
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo data ready in {time.perf_counter() - started:.1f} s:"))
        out(
            f"  catalogue  {catalog.rows} MovieLens titles: {catalog.created} created, {catalog.updated} updated, "
            f"{catalog.unchanged} unchanged; genres set on {catalog.genres_changed}"
            + (
                f"; new genre tags {', '.join(catalog.genre_tags_created)}"
                if catalog.genre_tags_created
                else ""
            )
        )
        out(
            f"  history    {history.rows} real ratings of {history.subscribers} MovieLens users: "
            f"{history.inserted} added, {history.already_present} already present"
        )
        if result.working_state_created:
            out(
                f"  tagging    {result.assignments} assignments, {result.submitted} submitted taggings "
                f"(simulated) and {result.drafts} drafts"
            )
        else:
            out("  tagging    the demo taggers already have work: left as it is")
        if result.accounts_created:
            out(f"  accounts   created {', '.join(result.accounts_created)}")
        out(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in demo_logins():
            out(f"  {username:<9} {what}")
