"""The vault: the clinic's containers with their balances, and one container's history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.models import Membership
from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.inventory.models import Container, LedgerTransaction, Registration


def ledger_membership(request: HttpRequest, *capabilities: Capability) -> Membership:
    """The signed-in person's membership of the clinic they work in, if their role has one
    of these capabilities there (the ledger's pages all start here)."""
    membership = current_membership(request)
    wanted = capabilities or (Capability.VIEW_LEDGER,)
    if membership is None or not any(can(membership.role, c) for c in wanted):
        raise PermissionDenied("your role does not do this in the ledger")
    return membership


def clinic_container(membership: Membership, container_id: Any) -> Container:
    found = (
        Container.objects.select_related("product")
        .filter(pk=container_id, clinic=membership.clinic)
        .first()
    )
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


@login_required
@require_GET
def vault(request: HttpRequest) -> HttpResponse:
    membership = ledger_membership(request)
    containers = Container.objects.filter(clinic=membership.clinic).select_related("product")
    if request.GET.get("empty") != "1":
        containers = containers.filter(balance_mg__gt=0)
    audit(request, membership, "list", "ledger.vault")
    return render(
        request,
        "inventory/vault.html",
        {
            "containers": containers,
            "show_empty": request.GET.get("empty") == "1",
            "today": timezone.localdate(),
            "registration": Registration.objects.filter(clinic=membership.clinic).first(),
            **may(membership),
        },
    )


@login_required
@require_GET
def container(request: HttpRequest, container_id: str) -> HttpResponse:
    membership = ledger_membership(request)
    found = clinic_container(membership, container_id)
    history = LedgerTransaction.objects.filter(container=found).select_related(
        "performer", "witness", "patient"
    )
    audit(request, membership, "read", f"ledger.container {found.label}")
    return render(
        request,
        "inventory/container.html",
        {
            "container": found,
            "history": history,
            "today": timezone.localdate(),
            **may(membership),
        },
    )
