"""The vault: the clinic's containers with their balances, and one container's history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketamine_clinic.inventory import queries
from ketamine_clinic.inventory.access import audit, clinic_container, ledger_membership, may


@login_required
@require_GET
def vault(request: HttpRequest) -> HttpResponse:
    membership = ledger_membership(request)
    show_empty = request.GET.get("empty") == "1"
    containers = queries.containers(membership.clinic_id, empty=show_empty)
    audit(request, membership, "list", "ledger.vault")
    return render(
        request,
        "inventory/vault.html",
        {
            "containers": containers,
            "show_empty": show_empty,
            "today": timezone.localdate(),
            "registration": queries.registration(membership.clinic_id),
            **may(membership),
        },
    )


@login_required
@require_GET
def container(request: HttpRequest, container_id: str) -> HttpResponse:
    membership = ledger_membership(request)
    found = clinic_container(membership, container_id)
    history = queries.transactions(container=found)
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
