"""Adding a product and receiving stock from a supplier, on the vault's screens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.inventory import actions
from ketamine_clinic.inventory.access import ledger_membership, may
from ketamine_clinic.inventory.forms import ProductForm, ReceiptForm


@login_required
@require_http_methods(["GET", "POST"])
def add_product(request: HttpRequest) -> HttpResponse:
    membership = ledger_membership(request, Capability.MANAGE_LEDGER)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = actions.add_product(web_actor(request), membership.clinic, form.cleaned_data)
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, f"{product.name} added.")
            return redirect("inventory:receive")
    return render(request, "inventory/product_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    membership = ledger_membership(request, Capability.RECORD_LEDGER, Capability.MANAGE_LEDGER)
    form = ReceiptForm(
        request.POST or None,
        clinic=membership.clinic,
        initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            containers = actions.receive(
                web_actor(request),
                str(membership.role),
                membership.clinic,
                actions.Receipt(**form.cleaned_data),
            )
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            labels = f"{containers[0].label} to {containers[-1].label}"
            messages.success(request, f"{len(containers)} received and labelled {labels}.")
            return redirect("inventory:vault")
    return render(
        request,
        "inventory/receive.html",
        {"form": form, **may(membership)},
    )
