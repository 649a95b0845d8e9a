"""`ketamine-clinic demo`: migrate, load demo data (once), print the logins, serve."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ketamine_clinic.demo.clinic import DEMO_PASSWORD, DEMO_USERS, seed


class Command(BaseCommand):
    help = "Set up the demo database and serve the app on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Set up, then stop.")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        created = seed()
        database = settings.DATABASES["default"]["NAME"]
        self.stdout.write(
            ("Loaded demo data" if created else "Demo data already present; kept as it is")
            + f" in {database}."
        )
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write(f"\nOpen {url} and log in with password {DEMO_PASSWORD!r} as:")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<14} {user.role.label:<12} {user.clinic}")
        if not options["no_serve"]:
            self.stdout.write(
                "\nA worker sends the clinic's messages beside the server; with no mail server "
                "configured it prints them here.\nPress Ctrl+C to stop.\n"
            )
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the worker too
            worker = subprocess.Popen([sys.executable, "-m", "ketamine_clinic.cli", "worker"])
            try:
                call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
