"""`ketamine-clinic smart-app CLINIC --as ADMIN --name NAME --redirect-uri URL`: register a
SMART on FHIR app. It prints the client id (and, for a confidential app, its secret, once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.interop.management.commands._common import admin_actor
from ketamine_clinic.interop.smart import actions


class Command(BaseCommand):
    help = "Register a SMART on FHIR app that the clinic's staff and patients may connect."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("clinic")
        parser.add_argument("--as", dest="username", required=True, help="an admin's username")
        parser.add_argument("--name", required=True, help="the app's name, as people see it")
        parser.add_argument(
            "--redirect-uri", action="append", required=True, help="where the app is sent "
            "back after sign-in (exactly as the app sends it; repeat for several)",
        )  # fmt: skip
        parser.add_argument("--launch-url", default="", help="for an EHR launch from a chart")
        parser.add_argument(
            "--confidential", action="store_true",
            help="the app runs on a server and keeps a secret (default: a public app, PKCE only)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        clinic, actor = admin_actor(options["clinic"], options["username"], Capability.EXPORT_DATA)
        try:
            done = actions.register_app(
                actor, clinic, name=options["name"], redirect_uris=options["redirect_uri"],
                launch_url=options["launch_url"], confidential=options["confidential"],
            )  # fmt: skip
        except InvalidInput as exc:
            flag = {"redirect_uris": "redirect-uri"}.get(exc.field, exc.field.replace("_", "-"))
            raise CommandError(f"--{flag}: {exc.message}") from None
        self.stdout.write(f"client_id: {done.app.application.client_id}")
        if done.client_secret:
            self.stdout.write(f"client_secret: {done.client_secret}  (shown once; keep it safe)")
