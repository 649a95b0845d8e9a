"""`ketamine-clinic fhir-export CLINIC --as ADMIN --out DIR`: the whole clinic as FHIR NDJSON
files, one per resource type, for a clinic too large to fetch over HTTP in one go."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.interop import bulk
from ketamine_clinic.interop.management.commands._common import admin_actor


class Command(BaseCommand):
    help = "Export a clinic as FHIR R4 NDJSON (Bulk Data layout) into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("clinic")
        parser.add_argument("--as", dest="username", required=True, help="an admin's username")
        parser.add_argument("--out", required=True, help="a folder to write the files into")
        parser.add_argument("--types", help="e.g. Patient,Observation (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic, actor = admin_actor(options["clinic"], options["username"], Capability.EXPORT_DATA)
        out = Path(options["out"])
        if out.exists() and any(out.iterdir()):
            raise CommandError(f"--out: {out} is not empty")
        try:
            types = bulk.parse_types(options["types"])
        except InvalidInput as exc:
            raise CommandError(f"--types: {exc.message}") from None
        asked = bulk.start(actor, clinic, types, f"cli fhir-export {clinic.name}", on_worker=False)
        export = bulk.write(asked.pk)
        if export.completed_at is None:
            raise CommandError(export.error or "the export did not finish")
        shutil.copytree(bulk.folder(export), out, dirs_exist_ok=True)
        bulk.delete(export)
        for entry in export.files:
            self.stdout.write(f"{entry['type']}.ndjson: {entry['count']}")
        self.stdout.write(f"{export.patients} patients written to {out}")
