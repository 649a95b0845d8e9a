"""`ketamine-clinic disable_user USERNAME`: end every session and token of a user at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ketamine_clinic.accounts.authn import end_all_access
from ketamine_clinic.accounts.lookup import find_user


class Command(BaseCommand):
    help = "Disable a user: their sessions and API tokens stop working immediately."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        end_all_access(user)
        self.stdout.write(f"Disabled {user.username}; sessions and tokens no longer work.")
