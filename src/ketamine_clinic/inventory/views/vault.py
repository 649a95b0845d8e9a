"""The vault: the clinic's containers with their balances, and one container's history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketamine_clinic.inventory.access import audit, clinic_container, ledger_membership, may
from ketamine_clinic.inventory.models import Container, LedgerTransaction, Registration


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
