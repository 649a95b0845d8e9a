"""Protocol screens: the library and the clinic's copies; prescribers copy, adjust, retire."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts.current import membership_with
from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.common.errors import Conflict, InvalidInput, as_sentence
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.treatment.actions import protocols as protocol_actions
from ketamine_clinic.treatment.forms import ProtocolForm
from ketamine_clinic.treatment.queries import protocols as clinic_protocols


@login_required
@require_GET
def protocol_list(request: HttpRequest) -> HttpResponse:
    membership = membership_with(request, Capability.VIEW_PROTOCOLS)
    rows = clinic_protocols.current_rows(membership.clinic_id)
    return render(
        request,
        "treatment/protocols.html",
        {
            "library": list(LIBRARY.values()),
            "copies": [(row, clinic_protocols.build(row), LIBRARY[row.base_id]) for row in rows],
            "may_manage": can(membership.role, Capability.MANAGE_PROTOCOLS),
        },
    )


def _put_error(form: ProtocolForm, exc: InvalidInput | Conflict) -> None:
    """The adjustment rules name phases as `phases[0].per_week`; the form as `phase0_per_week`."""
    field = getattr(exc, "field", None)
    if field and field.startswith("phases["):
        field = f"phase{field[7]}_{field.rsplit('.', 1)[-1]}"
    put_error(form, exc, field)


@login_required
@require_http_methods(["GET", "POST"])
def protocol_copy(request: HttpRequest) -> HttpResponse:
    membership = membership_with(request, Capability.MANAGE_PROTOCOLS)
    base = LIBRARY.get(request.GET.get("base", ""))
    if base is None:
        raise Http404("no such library protocol")
    form = ProtocolForm(
        request.POST or None,
        base=base,
        current=base,
        initial={"name": f"{base.name} (our clinic)"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            row = protocol_actions.copy_protocol(
                web_actor(request),
                membership.clinic,
                base_id=base.id,
                key=form.cleaned_data["key"],
                name=form.cleaned_data["name"],
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except (InvalidInput, Conflict) as exc:
            _put_error(form, exc)
        else:
            messages.success(request, f"Protocol {row.key} version 1 saved.")
            return redirect("treatment:protocols")
    return render(
        request, "treatment/protocol_form.html", {"form": form, "base": base, "row": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def protocol_adjust(request: HttpRequest, key: str) -> HttpResponse:
    membership = membership_with(request, Capability.MANAGE_PROTOCOLS)
    row = clinic_protocols.latest(membership.clinic_id, key)
    if row is None or row.retired:
        raise Http404("no such protocol")
    current = clinic_protocols.build(row)
    base = LIBRARY[row.base_id]
    form = ProtocolForm(
        request.POST or None,
        base=base,
        current=current,
        initial={"key": row.key, "name": row.name},
    )
    form.fields["key"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            saved = protocol_actions.revise_protocol(
                web_actor(request),
                membership.clinic,
                key,
                version=int(request.POST.get("version") or 0),
                name=form.cleaned_data["name"],
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except (InvalidInput, Conflict) as exc:
            _put_error(form, exc)
        else:
            messages.success(request, f"Protocol {key} version {saved.version} saved.")
            return redirect("treatment:protocols")
    return render(
        request,
        "treatment/protocol_form.html",
        {
            "form": form,
            "base": base,
            "row": row,
            "versions": clinic_protocols.versions(membership.clinic_id, key),
        },
    )


@login_required
@require_POST
def protocol_retire(request: HttpRequest, key: str) -> HttpResponse:
    membership = membership_with(request, Capability.MANAGE_PROTOCOLS)
    try:
        protocol_actions.retire_protocol(
            web_actor(request),
            membership.clinic,
            key,
            version=int(request.POST.get("version") or 0),
            reason=request.POST.get("reason", ""),
        )
    except (InvalidInput, Conflict) as exc:
        messages.error(request, as_sentence(exc))
    else:
        messages.success(request, f"Protocol {key} retired; courses already ordered keep it.")
    return redirect("treatment:protocols")
