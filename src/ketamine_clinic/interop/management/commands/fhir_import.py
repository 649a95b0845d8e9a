"""`ketamine-clinic fhir-import CLINIC BUNDLE.json --as ADMIN`: patients and their PHQ-9 and
GAD-7 answers from another system; all or nothing, every problem listed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.interop.fhir.ingest import BundleRefused, import_bundle
from ketamine_clinic.interop.management.commands._common import admin_actor


class Command(BaseCommand):
    help = "Import a FHIR R4 Bundle of Patients and PHQ-9/GAD-7 QuestionnaireResponses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("clinic")
        parser.add_argument("bundle", help="a JSON file holding one Bundle")
        parser.add_argument("--as", dest="username", required=True, help="an admin's username")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic, actor = admin_actor(options["clinic"], options["username"], Capability.IMPORT_DATA)
        try:
            bundle = json.loads(Path(options["bundle"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"bundle: cannot read it as JSON ({exc})") from None
        try:
            done = import_bundle(actor, clinic, bundle)
        except BundleRefused as exc:
            raise CommandError(
                "nothing imported:\n" + "\n".join(f"- {p}" for p in exc.problems)
            ) from None
        self.stdout.write(
            f"patients: {done.patients_created} created, {done.patients_found} already here; "
            f"responses: {done.responses_created} created, {done.responses_found} already "
            f"here; ignored: {done.ignored or 'none'}"
        )
