"""Reaching a safety alert: 404 outside the user's clinics (and for patients), 403 for a role
that may not acknowledge it."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability, Role, can
from ketamine_clinic.assessments.models import SafetyAlert
from ketamine_clinic.common.ids import uuid_or_404


def get_alert_for_user(
    user: User, alert_id: uuid.UUID | str, capability: Capability
) -> tuple[SafetyAlert, Role]:
    key = uuid_or_404(alert_id, "alert")
    alert = SafetyAlert.objects.filter(pk=key).first()
    role = user.role_in(alert.clinic_id) if alert else None
    if alert is None or role is None or role == Role.PATIENT:
        raise Http404("no such alert")
    if not can(role, capability):
        raise PermissionDenied(f"a {role.label.lower()} may not acknowledge safety alerts")
    return alert, role
