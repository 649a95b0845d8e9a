"""`ketamine-clinic grant_role USERNAME --role ROLE --clinic NAME`: add or change a role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ketamine_clinic.accounts.lookup import find_clinic, find_user
from ketamine_clinic.accounts.models import Membership
from ketamine_clinic.accounts.roles import Role


class Command(BaseCommand):
    help = "Give an existing user a role in a clinic (or change the role they have there)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--clinic", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        clinic = find_clinic(options["clinic"])
        Membership.objects.update_or_create(
            user=user, clinic=clinic, defaults={"role": options["role"], "is_active": True}
        )
        self.stdout.write(f"{user.username} is {Role(options['role']).value} in {clinic.name}")
