"""`ketamine-clinic create-user USERNAME --role ROLE --clinic NAME`, password on stdin.

Reading the password from standard input keeps it out of shell history and `ps`.
"""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ketamine_clinic.accounts.lookup import find_clinic
from ketamine_clinic.accounts.models import Membership, User
from ketamine_clinic.accounts.roles import Role


class Command(BaseCommand):
    help = "Create a user with a role in a clinic; the password is read from standard input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--clinic", required=True, help="The clinic's name")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--patient-mrn", default="", help="For --role patient: the MRN of their chart"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username or len(username) > 150:
            raise CommandError("USERNAME: give 1 to 150 characters")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        clinic = find_clinic(options["clinic"])
        role = Role(options["role"])
        patient = None
        if role == Role.PATIENT:
            from ketamine_clinic.patients.models import Patient

            patient = Patient.objects.filter(clinic=clinic, mrn=options["patient_mrn"]).first()
            if patient is None:
                raise CommandError("--patient-mrn: give the MRN of this patient's chart")
            if patient.user_id is not None:
                raise CommandError("--patient-mrn: that chart already has a portal account")
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("no password on standard input (pipe it in or type it and Enter)")
        user = User(
            username=username,
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
        )
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            Membership.objects.create(user=user, clinic=clinic, role=role)
            if patient is not None:
                patient.user = user
                patient.save(update_fields=["user"])
        self.stdout.write(f"Created {role.value} {username} in {clinic.name}")
