"""`ketamine-clinic check-ledger [--clinic NAME]`: every dose has its ledger entry and every
balance is the sum of its movements. Exits 1 and lists each discrepancy otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.accounts.lookup import find_clinic
from ketamine_clinic.clinic import ledger_integrity as integrity


class Command(BaseCommand):
    help = "Check the controlled-substance ledger's arithmetic against the doses given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", help="only this clinic (default: every clinic)")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = find_clinic(options["clinic"]) if options["clinic"] else None
        found = integrity.problems(clinic.pk if clinic else None)
        for problem in found:
            self.stderr.write(problem)
        if found:
            raise CommandError(f"{len(found)} ledger discrepancies: investigate, do not edit")
        self.stdout.write("ledger holds: every dose booked, every balance the sum of its movements")
