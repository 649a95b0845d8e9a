"""`ketamine-clinic refresh-outcomes [--clinic NAME]`: rebuild the outcome summary from the
records, after a bulk load that bypassed the actions or to prove that it is current."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ketamine_clinic.accounts.lookup import find_clinic
from ketamine_clinic.assessments import outcome_summary


class Command(BaseCommand):
    help = "Recompute every patient's outcome summary (the outcome report reads it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", help="only this clinic (default: every clinic)")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = find_clinic(options["clinic"]) if options["clinic"] else None
        patients = outcome_summary.rebuild(clinic.pk if clinic else None)
        self.stdout.write(f"outcome summary rebuilt for {patients} patients")
