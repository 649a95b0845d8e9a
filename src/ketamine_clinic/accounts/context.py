"""Template context: the current clinic, role and the other clinics one may switch to."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from ketamine_clinic.accounts import kiosk
from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability, Role, can

# The main navigation: what each capability opens, in the order the bar shows it. The day's
# work stays on the bar; the screens an owner opens now and then sit in one "Clinic" menu,
# so the bar is one row on a 768-pixel tablet.
NAVIGATION = (
    (Capability.VIEW_ALERTS, "clinic:dashboard", "Dashboard"),
    (Capability.LIST_PATIENTS, "patients:list", "Patients"),
    (Capability.MANAGE_SCHEDULE, "treatment_sessions:today", "Today"),
    (Capability.MANAGE_SCHEDULE, "appointments:calendar", "Calendar"),
    (Capability.EDIT_CLINICAL, "messaging:inbox", "Inbox"),
    (Capability.VIEW_LEDGER, "inventory:vault", "Vault"),
)
CLINIC_MENU = (
    (Capability.VIEW_REPORTS, "interop:outcomes", "Outcomes"),
    (Capability.EXPORT_DATA, "interop:exports", "Data exports"),
    (Capability.EXPORT_DATA, "interop:smart_apps", "Apps"),
    (Capability.VIEW_PROTOCOLS, "treatment:protocols", "Protocols"),
    (Capability.MANAGE_INSTRUMENTS, "assessments:instruments", "Instruments"),
    (Capability.MANAGE_CONSENT_DOCUMENTS, "evaluations:consent_documents", "Consent documents"),
    (Capability.MANAGE_PLACES, "appointments:places", "Chairs and rooms"),
    (Capability.VIEW_AUDIT, "audit_log", "Audit log"),
    (Capability.MANAGE_USERS, "clinic_settings", "Clinic settings"),
)


Links = tuple[tuple[str, str], ...]


def _links(role: str, entries: tuple[tuple[Capability, str, str], ...]) -> Links:
    return tuple(
        (label, reverse(name)) for capability, name, label in entries if can(role, capability)
    )


@cache
def navigation(role: str) -> tuple[Links, Links]:
    """(label, address) of each screen a role opens, on the bar and in the Clinic menu: the
    same for every page, so built once per role rather than reversed link by link."""
    return _links(role, NAVIGATION), _links(role, CLINIC_MENU)


def clinic_context(request: HttpRequest) -> dict[str, Any]:
    membership = current_membership(request)
    if membership is None:
        return {}
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # current_membership returned one, so logged in
    bar, menu = navigation(membership.role)
    return {
        "kiosk_mode": kiosk.state(request) is not None,
        "membership": membership,
        "current_clinic": membership.clinic,
        "current_role": membership.role,
        "current_role_label": Role(membership.role).label,
        "other_memberships": [
            m for m in user.active_memberships if m.clinic_id != membership.clinic_id
        ],
        "navigation": bar,
        "clinic_menu": menu,
        "nav_here": max(
            (a for _, a in bar + menu if request.path.startswith(a)), key=len, default=None
        ),
    }
