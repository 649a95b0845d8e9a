"""`ketamine-clinic read_bounces [FILE ...]`: read mail servers' bounces (delivery status
notifications) from files, or one from standard input, and mark the emails they name
bounced. Made for a mail server to pipe the clinic's returned mail into (docs/messages.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.messaging import actions


class Command(BaseCommand):
    help = "Mark the emails that mail servers' bounces name as bounced."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", type=Path, help="Bounces, one per file (default: one on stdin)."
        )

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        sources: list[tuple[str, Path | None]] = [(str(f), f) for f in files] or [("stdin", None)]
        for name, path in sources:
            try:
                raw = path.read_bytes() if path is not None else sys.stdin.buffer.read()
            except OSError as exc:
                raise CommandError(f"{name}: {exc.strerror}") from None
            matched = actions.bounce_received(raw)
            # A mail server that pipes in treats a failure as a reason to bounce again, so
            # mail that is not ours is reported, not refused.
            if not matched:
                self.stdout.write(f"{name}: not a bounce of a message the clinic sent")
            for report in matched:
                state = "delivered" if report.delivered else f"bounced ({report.why})"
                self.stdout.write(f"{name}: {report.message_id} to {report.recipient}: {state}")
