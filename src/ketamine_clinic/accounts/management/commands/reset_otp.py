"""`ketamine-clinic reset-otp USERNAME`: forget a user's authenticator (lost or new phone).

Their next login asks them to enrol a new one if their clinic requires it. Their sessions
end, so a stolen phone's session cannot continue.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketamine_clinic.accounts.lookup import find_user


class Command(BaseCommand):
    help = "Remove a user's authenticator app so they can enrol a new one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        ended = 0
        for session in Session.objects.all().iterator():
            if session.get_decoded().get("_auth_user_id") == str(user.pk):
                session.delete()
                ended += 1
        self.stdout.write(
            f"Removed {removed} authenticator(s) of {user.username}; ended {ended} session(s)."
        )
