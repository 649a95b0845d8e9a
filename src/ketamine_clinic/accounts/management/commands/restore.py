"""`ketamine-clinic restore FILE --yes`: put a checked backup back in place of the SQLite
database. Everything written since the backup is lost, hence --yes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.server import backup


class Command(BaseCommand):
    help = "Replace the SQLite database with a backup (after checking it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a file made by `ketamine-clinic backup`")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: writes since the backup are lost"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        try:
            migrations = backup.check(source)
            if not options["yes"]:
                raise CommandError(
                    f"{source} is sound ({migrations} migrations). Restoring replaces the "
                    "database and loses everything written since: run again with --yes"
                )
            backup.restore(source)
        except InvalidInput as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(f"restored from {source}; run `ketamine-clinic migrate` if it is older")
