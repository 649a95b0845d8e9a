"""Clinics and users named on the command line, found or refused with the names known."""

from __future__ import annotations

from django.core.management.base import CommandError

from ketamine_clinic.accounts.models import Clinic, User


def find_clinic(name: str) -> Clinic:
    clinic = Clinic.objects.filter(name__iexact=name.strip()).first()
    if clinic is None:
        known = ", ".join(Clinic.objects.values_list("name", flat=True)) or "none yet"
        raise CommandError(f"--clinic: no clinic named {name!r} (known: {known})")
    return clinic


def find_user(username: str) -> User:
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise CommandError(f"no user named {username!r}")
    return user
