"""What the FHIR commands share: the admin they act as, checked like a login would be."""

from __future__ import annotations

from django.core.management.base import CommandError

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.lookup import find_clinic, find_user
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.accounts.roles import Capability, can


def admin_actor(clinic_name: str, username: str, capability: Capability) -> tuple[Clinic, Actor]:
    clinic = find_clinic(clinic_name)
    user = find_user(username)
    role = user.role_in(clinic.pk)
    if not user.is_active or role is None or not can(role, capability):
        raise CommandError(f"--as: {username} is not an admin of {clinic.name}")
    return clinic, Actor(user=user, via="cli")
