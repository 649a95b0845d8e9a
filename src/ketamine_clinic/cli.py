"""The `ketamine-clinic` command: Django's manage.py for this project.

`ketamine-clinic pk` runs the pharmacokinetic engine without touching the database. Our own
commands are spelled with hyphens on the command line (`create-clinic`), as Django
command modules cannot be; both spellings work.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "create-clinic": "create_clinic",
    "create-user": "create_user",
    "grant-role": "grant_role",
    "disable-user": "disable_user",
    "reset-otp": "reset_otp",
    "configure-clinic": "configure_clinic",
    "fhir-export": "fhir_export",
    "fhir-import": "fhir_import",
    "refresh-outcomes": "refresh_outcomes",
    "check-ledger": "check_ledger",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.server.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "pk":  # pure: no settings, no database
        from ketamine_clinic.pk.cli import main as pk_main

        sys.exit(pk_main(args[2:]))
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
