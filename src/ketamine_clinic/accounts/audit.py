"""The actor behind a request, and the access-log rows written for it.

Every read or write of patient data names who, in which role, for which clinic and patient,
what, when and from where (HIPAA 164.312(b) audit controls).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from ketamine_clinic.accounts.clientip import client_ip
from ketamine_clinic.accounts.models import AccessLog, Clinic, User
from ketamine_clinic.accounts.roles import Role


@dataclass(frozen=True)
class Actor:
    """Who is acting, and through which door; passed to every action function."""

    user: User
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    via: str = "cli"

    @classmethod
    def from_request(cls, request: HttpRequest, via: str) -> Actor:
        user = request.user
        if not isinstance(user, User):
            raise TypeError("an Actor needs an authenticated user")
        return cls(
            user=user,
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
            path=request.get_full_path()[:500],
            via=via,
        )


def _append(**values: Any) -> AccessLog:
    """A new row of the log, saved the ORM's way (the model refuses any later change)."""
    return AccessLog.objects.create(**values)


def record_access(
    actor: Actor,
    *,
    action: str,
    what: str,
    clinic: Clinic | uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    role: Role | str | None = None,
) -> AccessLog:
    clinic_id = clinic.pk if isinstance(clinic, Clinic) else clinic
    return _append(
        user=actor.user,
        username=actor.user.get_username(),
        role=str(role or ""),
        clinic_id=clinic_id,
        patient_id=patient_id,
        action=action,
        what=what,
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
        path=actor.path,
        via=actor.via,
    )


def record_in_each_clinic(actor: Actor, *, action: str, what: str) -> None:
    """An event that concerns the user rather than one patient (login, a list across clinics):
    one row per clinic the user works in, so each clinic's admin sees it in their log."""
    for membership in actor.user.active_memberships:
        record_access(
            actor, action=action, what=what, clinic=membership.clinic_id, role=membership.role
        )


def record_link_access(
    request_ip: str | None, *, action: str, what: str, clinic_id: uuid.UUID, patient_id: uuid.UUID
) -> AccessLog:
    """Access through a single-use questionnaire link: no logged-in user, the link is the key."""
    return _append(
        user=None,
        username="questionnaire link",
        role="patient",
        clinic_id=clinic_id,
        patient_id=patient_id,
        action=action,
        what=what,
        ip_address=request_ip,
        via="link",
    )
