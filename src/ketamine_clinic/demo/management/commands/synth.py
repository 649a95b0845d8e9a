"""`ketamine-clinic synth --clinics N --patients N`: a synthetic network for benchmarks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.demo import synth


class Command(BaseCommand):
    help = "Create synthetic clinics with patients, courses, sessions, scores and a ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinics", type=int, required=True)
        parser.add_argument("--patients", type=int, required=True, help="in all")
        parser.add_argument("--sessions", type=int, default=6, help="dosed sessions per patient")
        parser.add_argument("--scores", type=int, default=10, help="PHQ-9 scores per patient")
        parser.add_argument("--seed", type=int, default=20261122)
        parser.add_argument("--password", help="staff password (default: they cannot log in)")
        parser.add_argument(
            "--today", type=int, default=0,
            help="patients per clinic at the chair today, ready for an IM injection (load tests)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        plan = synth.Plan(
            clinics=options["clinics"], patients=options["patients"],
            sessions=options["sessions"], scores=options["scores"], seed=options["seed"],
            password=options["password"], today=options["today"],
        )  # fmt: skip
        try:
            clinics = synth.run(plan, say=self.stdout.write)
        except InvalidInput as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from None
        self.stdout.write(
            f"{len(clinics)} synthetic clinics, {plan.patients:,} patients; staff log in as "
            "synth1.prescriber, synth1.nurse, ... (synth<N>.admin/prescriber/nurse/nurse2/"
            "frontdesk)"
        )
