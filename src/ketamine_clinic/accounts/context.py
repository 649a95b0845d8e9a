"""Template context: the current clinic, role and the other clinics one may switch to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability, Role, can


def clinic_context(request: HttpRequest) -> dict[str, Any]:
    membership = current_membership(request)
    if membership is None:
        return {}
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # current_membership returned one, so logged in
    return {
        "membership": membership,
        "current_clinic": membership.clinic,
        "current_role": membership.role,
        "current_role_label": Role(membership.role).label,
        "other_memberships": [
            m for m in user.active_memberships if m.clinic_id != membership.clinic_id
        ],
        "may_view_audit": can(membership.role, Capability.VIEW_AUDIT),
        "may_list_patients": can(membership.role, Capability.LIST_PATIENTS),
        "may_view_alerts": can(membership.role, Capability.VIEW_ALERTS),
        "may_work_the_day": can(membership.role, Capability.MANAGE_SCHEDULE),
        "may_view_ledger": can(membership.role, Capability.VIEW_LEDGER),
        "may_view_reports": can(membership.role, Capability.VIEW_REPORTS),
        "may_view_protocols": can(membership.role, Capability.VIEW_PROTOCOLS),
        "may_manage_instruments": can(membership.role, Capability.MANAGE_INSTRUMENTS),
        "may_manage_consent_documents": can(membership.role, Capability.MANAGE_CONSENT_DOCUMENTS),
    }
