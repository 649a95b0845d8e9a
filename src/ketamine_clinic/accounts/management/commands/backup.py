"""`ketamine-clinic backup --out FILE`: a consistent copy of the SQLite database, taken while
the app runs, and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.server import backup


class Command(BaseCommand):
    help = "Copy the SQLite database to a new file while the app runs, and check the copy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="the new backup file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            copied = backup.backup(Path(options["out"]))
        except InvalidInput as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(
            f"backed up to {copied.path} ({copied.size_bytes:,} bytes, "
            f"{copied.migrations} migrations), integrity ok"
        )
