"""What every import command does with a rejected file."""

from __future__ import annotations

from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from catalog.imports import ImportRejected


def report_rejection(command: BaseCommand, exc: ImportRejected) -> NoReturn:
    """Every bad row on stderr, then a non-zero exit with the one-line reason."""
    for error in exc.errors:
        command.stderr.write(str(error))
    raise CommandError(exc.one_line()) from exc
