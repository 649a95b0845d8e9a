"""`ketamine-clinic create-clinic NAME`: add a clinic location."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketamine_clinic.accounts.models import Clinic


class Command(BaseCommand):
    help = "Create a clinic."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--require-staff-otp",
            action="store_true",
            help="Staff of this clinic must use an authenticator app to log in.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > 200:
            raise CommandError("NAME: give 1 to 200 characters")
        if Clinic.objects.filter(name__iexact=name).exists():
            raise CommandError(f"a clinic named {name!r} already exists")
        clinic = Clinic.objects.create(name=name, require_staff_otp=options["require_staff_otp"])
        self.stdout.write(f"Created clinic {clinic.name} ({clinic.pk})")
