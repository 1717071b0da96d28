"""``rebuild_recommendations [--all] [--subscriber NAME ...] [--inline]``."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from recommendations.models import Subscriber


class Command(BaseCommand):
    help = "Rebuild recommendation lists now: all of them or some subscribers', in the worker or inline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="every subscriber (the default)")
        parser.add_argument(
            "--subscriber",
            action="append",
            default=[],
            metavar="NAME",
            help="a subscriber's username (repeatable)",
        )
        parser.add_argument(
            "--inline",
            action="store_true",
            help="run here with a progress bar instead of in the worker",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=5000, help="subscribers per worker task"
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="with --inline --all: processes computing lists (default: up to 2 cores)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["subscriber"]
        if names and options["all"]:
            raise CommandError("give --all or --subscriber, not both")
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        if options["processes"] < 1:
            raise CommandError("--processes must be at least 1")
        if names:
            found = dict(
                Subscriber.objects.filter(user__username__in=names).values_list(
                    "user__username", "id"
                )
            )
            missing = [n for n in names if n not in found]
            if missing:
                raise CommandError(f"unknown subscriber(s): {', '.join(missing)}")
            ids = [found[n] for n in names]
            if options["inline"]:
                from recommendations.services.rebuild import rebuild_chunk

                n = rebuild_chunk(subscriber_ids=ids)
                self.stdout.write(f"rebuilt {n} list(s)")
            else:
                from recommendations.tasks import rebuild_chunk_task

                rebuild_chunk_task.delay(ids)
                self.stdout.write(f"queued the rebuild of {len(ids)} list(s) for the worker")
            return
        if options["inline"]:
            from recommendations.services.rebuild import rebuild_all_inline

            bar = tqdm(total=0, unit="list", desc="rebuilding", disable=None)

            def on_total(total: int) -> None:
                bar.total = total
                bar.refresh()

            run = rebuild_all_inline(
                progress=bar.update,
                on_total=on_total,
                detail="manual, inline",
                processes=options["processes"],
            )
            bar.close()
            self.stdout.write(
                f"rebuilt {run.done} list(s) in {(run.duration_ms or 0) / 1000:.1f} s"
            )
            return
        from recommendations.services.rebuild import rebuild_all_enqueue

        run = rebuild_all_enqueue(chunk_size=options["chunk_size"])
        self.stdout.write(
            f"queued a full rebuild of {run.total} list(s) ({run.detail}); follow it on the operations page"
        )
