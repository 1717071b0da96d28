"""``manage.py add_user NAME --role ROLE [--password P]``."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.roles import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create an account with a role (tagger, editor, subscriber or operator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument(
            "--password", help="Prompted for when omitted and a terminal is attached."
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--exist-ok",
            action="store_true",
            help="Add the role to an existing user instead of failing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None and options.get("stdin") is None and _interactive():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("Passwords do not match.")
        try:
            user, created = user_create(
                username=options["username"],
                role=Role(options["role"]),
                password=password or None,
                email=options["email"],
                exist_ok=options["exist_ok"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {user.username} ({options['role']})."))


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty()
