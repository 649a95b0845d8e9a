"""Moving stock out of a container on the vault's screens: the witnessed waste (two people
at one tablet) and the other movements (destroy, loss, transfer, adjust)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.formats import dose
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.inventory import actions
from ketamine_clinic.inventory.access import clinic_container, ledger_membership
from ketamine_clinic.inventory.forms import MovementForm, WasteForm
from ketamine_clinic.inventory.witness import authenticate_witness
from ketamine_clinic.patients.access import the_clinic


def _done(request: HttpRequest, row: Any, what: str) -> HttpResponse:
    messages.success(
        request, f"{what}: {dose(row.quantity_mg)} mg; {dose(row.balance_after_mg)} mg left."
    )
    return redirect("inventory:container", row.container_id)


@login_required
@require_http_methods(["GET", "POST"])
def waste(request: HttpRequest, container_id: str) -> HttpResponse:
    membership = ledger_membership(request, Capability.RECORD_LEDGER)
    container = clinic_container(membership, container_id)
    form = WasteForm(request.POST or None, container=container)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            witness, role = authenticate_witness(
                request, data["witness_username"], data["witness_password"], container.clinic_id
            )
            row = actions.record(
                web_actor(request),
                str(membership.role),
                container,
                actions.Entry(
                    kind="waste",
                    quantity=data["quantity"],
                    unit=data["unit"],
                    event_at=timezone.now(),
                    reason=data["reason"],
                    witness=witness,
                    witness_role=role,
                ),
            )
        except (InvalidInput, Conflict) as exc:
            named = getattr(exc, "field", None)
            put_error(form, exc, "witness_username" if named == "witness" else None)
        else:
            name = witness.get_full_name() or witness.username
            return _done(request, row, f"Wasted before {name}")
    return render(request, "inventory/waste.html", {"form": form, "container": container})


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, container_id: str) -> HttpResponse:
    membership = ledger_membership(request, Capability.RECORD_LEDGER, Capability.MANAGE_LEDGER)
    container = clinic_container(membership, container_id)
    user = membership.user
    destinations = [
        (str(m.clinic_id), str(m.clinic))
        for m in user.active_memberships
        if can(m.role, Capability.RECORD_LEDGER) and m.clinic_id != container.clinic_id
    ]
    form = MovementForm(request.POST or None, container=container, destinations=destinations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        needed = Capability.MANAGE_LEDGER if data["kind"] == "adjust" else Capability.RECORD_LEDGER
        entry = actions.Entry(
            kind=data["kind"],
            quantity=data["quantity"],
            unit=data["unit"],
            event_at=data["event_at"] or timezone.now(),
            reason=data["reason"],
            reference=data["reference"],
            increase=data["increase"],
        )
        try:
            if not can(membership.role, needed):
                raise InvalidInput("kind", "your role does not record this movement")
            if data["kind"] == "transfer" and data["to_clinic"]:
                to_clinic = the_clinic(user, uuid.UUID(data["to_clinic"]), Capability.RECORD_LEDGER)
                row, _ = actions.transfer(
                    web_actor(request),
                    str(membership.role),
                    container,
                    entry,
                    to_clinic,
                    str(user.role_in(to_clinic.pk)),
                )
            else:
                row = actions.record(web_actor(request), str(membership.role), container, entry)
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            return _done(request, row, row.get_kind_display())
    return render(request, "inventory/move.html", {"form": form, "container": container})
