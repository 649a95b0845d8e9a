"""The witness of a waste signs in on the same screen with their own username and password:
the ledger records two people because two people proved who they are."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest

from ketamine_clinic.accounts.models import User
from ketamine_clinic.common.errors import InvalidInput


def authenticate_witness(
    request: HttpRequest, username: str | None, password: str | None, clinic_id: Any
) -> tuple[User, str | None]:
    """The witness and their role in the clinic (None when they do not work there); wrong
    credentials count towards the lockout like any failed login."""
    if not username or not password:
        raise InvalidInput("witness_username", "the witness signs in with their own password")
    witness = authenticate(request, username=username, password=password)
    if not isinstance(witness, User):
        raise InvalidInput("witness_password", "the witness's username or password is wrong")
    role = witness.role_in(clinic_id)
    return witness, str(role) if role else None
