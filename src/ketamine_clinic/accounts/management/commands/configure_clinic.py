"""`ketamine-clinic configure-clinic NAME [...]`: a clinic's own settings.

Crisis resources shown to patients, how often a patient in care is due for a self-report,
per-instrument remission cut-offs, and whether staff must use a second factor.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.accounts.management.commands.create_user import find_clinic
from ketamine_clinic.clinical.instruments import BUILTIN


class Command(BaseCommand):
    help = "Change a clinic's settings; with no options, print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--crisis-phone", help="e.g. 988 (US), 116123 (UK)")
        parser.add_argument("--crisis-text", help="One sentence shown on the crisis page")
        parser.add_argument("--measurement-interval-days", type=int)
        parser.add_argument(
            "--remission",
            action="append",
            default=[],
            metavar="INSTRUMENT=SCORE",
            help="Remission cut-off, e.g. madrs=12 (repeatable); INSTRUMENT=default removes it",
        )
        parser.add_argument("--require-staff-otp", choices=["yes", "no"])

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = find_clinic(options["name"])
        if options["crisis_phone"] is not None:
            phone = options["crisis_phone"].strip()
            if not phone or len(phone) > 40 or not all(c.isdigit() or c in "+ -" for c in phone):
                raise CommandError("--crisis-phone: digits, spaces, + and - only (1-40)")
            clinic.crisis_phone = phone
        if options["crisis_text"] is not None:
            text = options["crisis_text"].strip()
            if not 10 <= len(text) <= 300:
                raise CommandError("--crisis-text: give 10 to 300 characters")
            clinic.crisis_text = text
        if options["measurement_interval_days"] is not None:
            days = options["measurement_interval_days"]
            if not 1 <= days <= 90:
                raise CommandError("--measurement-interval-days: between 1 and 90")
            clinic.measurement_interval_days = days
        thresholds = dict(clinic.remission_thresholds or {})
        for spec in options["remission"]:
            key, _, value = spec.partition("=")
            instrument = BUILTIN.get(key)
            if instrument is None or not instrument.outcome_measure:
                outcome_ids = ", ".join(i.id for i in BUILTIN.values() if i.outcome_measure)
                raise CommandError(
                    f"--remission: {key!r} is not an outcome measure ({outcome_ids})"
                )
            if value == "default":
                thresholds.pop(key, None)
                continue
            if (
                not value.isdigit()
                or not instrument.total_min <= int(value) <= instrument.total_max
            ):
                raise CommandError(
                    f"--remission: {key} needs a whole number between {instrument.total_min} "
                    f"and {instrument.total_max}"
                )
            thresholds[key] = int(value)
        clinic.remission_thresholds = thresholds
        if options["require_staff_otp"] is not None:
            clinic.require_staff_otp = options["require_staff_otp"] == "yes"
        clinic.save()
        self.stdout.write(
            f"{clinic.name}: crisis {clinic.crisis_phone} ({clinic.crisis_text}); self-report due "
            f"every {clinic.measurement_interval_days} days; remission cut-offs "
            f"{clinic.remission_thresholds or 'defaults'}; staff second factor "
            f"{'required' if clinic.require_staff_otp else 'optional'}"
        )
