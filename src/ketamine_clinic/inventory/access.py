"""Who may see and change the ledger of which clinic, and the audit row of each ledger page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.models import Membership
from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.inventory import queries
from ketamine_clinic.inventory.models import Container


def ledger_membership(request: HttpRequest, *capabilities: Capability) -> Membership:
    """The signed-in person's membership of the clinic they work in, if their role has one
    of these capabilities there (the ledger's pages all start here)."""
    membership = current_membership(request)
    wanted = capabilities or (Capability.VIEW_LEDGER,)
    if membership is None or not any(can(membership.role, c) for c in wanted):
        raise PermissionDenied("your role does not do this in the ledger")
    return membership


def clinic_container(membership: Membership, container_id: Any) -> Container:
    found = queries.container(container_id, membership.clinic_id)
    if found is None:
        raise Http404("no such container")
    return found


def audit(request: HttpRequest, membership: Membership, action: str, what: str) -> None:
    """The access-log row of a ledger page: who, which clinic, what they saw or took away."""
    record_access(web_actor(request), action=action, what=what, clinic=membership.clinic)


def may(membership: Membership) -> dict[str, bool]:
    """What the pages offer this role: keeping the books, managing them."""
    return {
        "may_record": can(membership.role, Capability.RECORD_LEDGER),
        "may_manage": can(membership.role, Capability.MANAGE_LEDGER),
    }
