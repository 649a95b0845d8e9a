"""Which clinic a logged-in person is working in on the web screens.

A user may belong to several clinics; the screens show one at a time (chosen in the navbar).
The API does not need this: each patient carries its clinic, and the caller's role there decides.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ketamine_clinic.accounts.models import Membership, User
from ketamine_clinic.accounts.roles import Capability, can

SESSION_KEY = "kc_clinic_id"


def current_membership(request: HttpRequest) -> Membership | None:
    # An error page for a request refused before authentication ran (a bad Host header) has
    # no user yet: it is nobody's.
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return None
    cached = getattr(request, "_kc_membership", None)
    if cached is not None:
        return cached
    memberships = user.active_memberships
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if str(m.clinic_id) == wanted), memberships[0])
    request._kc_membership = chosen  # type: ignore[attr-defined]  # per-request cache
    return chosen


def choose_clinic(request: HttpRequest, clinic_id: str) -> bool:
    user = request.user
    if not isinstance(user, User):
        return False
    if not user.memberships_active().filter(clinic_id=clinic_id).exists():
        return False
    request.session[SESSION_KEY] = str(clinic_id)
    request.__dict__.pop("_kc_membership", None)
    return True


def membership_with(request: HttpRequest, capability: Capability) -> Membership:
    """The membership the person works in, if their role there may do `capability`;
    otherwise 403 (a screen's first check)."""
    membership = current_membership(request)
    if membership is None or not can(membership.role, capability):
        raise PermissionDenied("your role in this clinic does not allow this")
    return membership
