"""The vault: the clinic's containers with their balances, and one container's history."""

from __future__ import annotations

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
from ketamine_clinic.inventory.models import Container, LedgerTransaction


def _membership(request: HttpRequest) -> Membership:
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.VIEW_LEDGER):
        raise PermissionDenied("your role does not see the ledger")
    return membership


@login_required
@require_GET
def vault(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    containers = Container.objects.filter(clinic=membership.clinic).select_related("product")
    if request.GET.get("empty") != "1":
        containers = containers.filter(balance_mg__gt=0)
    record_access(web_actor(request), action="list", what="ledger.vault", clinic=membership.clinic)
    return render(
        request,
        "inventory/vault.html",
        {
            "containers": containers,
            "show_empty": request.GET.get("empty") == "1",
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def container(request: HttpRequest, container_id: str) -> HttpResponse:
    membership = _membership(request)
    found = (
        Container.objects.select_related("product")
        .filter(pk=container_id, clinic=membership.clinic)
        .first()
    )
    if found is None:
        raise Http404("no such container")
    history = LedgerTransaction.objects.filter(container=found).select_related(
        "performer", "witness", "patient"
    )
    record_access(
        web_actor(request), action="read", what=f"ledger.container {found.label}",
        clinic=membership.clinic,
    )  # fmt: skip
    return render(request, "inventory/container.html", {"container": found, "history": history})
