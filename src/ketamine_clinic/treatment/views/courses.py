"""Course screens: order with a live calculator, the course with its orders and calendar."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.clinical import repeated_dosing
from ketamine_clinic.common.errors import Conflict, InvalidInput, as_sentence
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.evaluations.notes import queries as note_queries
from ketamine_clinic.patients.access import (
    get_patient_for_user,
    record_page_read,
    record_patient_access,
)
from ketamine_clinic.treatment import actions
from ketamine_clinic.treatment.access import course_for_user, session_for_user
from ketamine_clinic.treatment.actions import titration as titration_actions
from ketamine_clinic.treatment.forms import (
    AdjunctForm,
    CourseForm,
    DecisionForm,
    MarkForm,
    MoveForm,
    OrderForm,
)
from ketamine_clinic.treatment.models import (
    TitrationDecision,
)
from ketamine_clinic.treatment.queries import courses, dose_history, dosing, pk_plans, titration
from ketamine_clinic.treatment.queries import protocols as clinic_protocols


def _params(data: dict[str, Any]) -> dosing.DoseParams:
    return dosing.DoseParams(
        dose_mg_per_kg=data.get("dose_mg_per_kg"),
        stock_product=data.get("stock_product") or None,
        diluent=data.get("diluent") or None,
        final_volume_ml=data.get("final_volume_ml"),
        duration_min=data.get("duration_min"),
        dose_mg=data.get("dose_mg"),
        override_reason=data.get("override_reason") or None,
    )


@login_required
@require_POST
def preview(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The live calculator: every step of the arithmetic for what is typed so far."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.ORDER_TREATMENT)
    form = CourseForm(
        request.POST,
        protocols=clinic_protocols.available(access.patient.clinic_id),
        products=dosing.stock_products(access.patient.clinic_id),
    )
    form.is_valid()  # partial input is normal while typing; use what parsed
    data = getattr(form, "cleaned_data", {})
    context: dict[str, Any] = {}
    try:
        protocol = clinic_protocols.get_protocol(
            request.POST.get("protocol", ""), access.patient.clinic_id
        )
        result = dosing.calculate_for_patient(protocol, _params(data), access.patient)
        context["result"] = result
        if pk_plans.supported(protocol.product):
            context["patient_id"] = access.patient.pk
            context["pk_estimate"] = pk_plans.ESTIMATE
            context["pk_query"] = urlencode(
                {
                    "product": protocol.product,
                    "dose_mg": result.dose.value,
                    **({"duration_min": result.duration.value} if result.duration else {}),
                }
            )
    except InvalidInput as exc:
        context["problem"] = f"{exc.field.replace('_', ' ')}: {exc.message}"
    return render(request, "treatment/partials/calculation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.ORDER_TREATMENT)
    weight, measured_on = dosing.latest_weight(access.patient)
    products = dosing.stock_products(access.patient.clinic_id)
    form = CourseForm(
        request.POST or None,
        protocols=clinic_protocols.available(access.patient.clinic_id),
        products=products,
        initial={
            "protocol": "iv-racemic-standard",
            "dose_mg_per_kg": "0.5",
            "stock_product": str(products[0].pk) if products else "",
            "diluent": "sodium_chloride_0_9",
            "final_volume_ml": "50",
            "duration_min": "40",
            "start_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            protocol = clinic_protocols.get_protocol(data["protocol"], access.patient.clinic_id)
            course = actions.order_course(
                web_actor(request),
                access,
                protocol,
                _params(data),
                data["start_on"],
                data.get("planned_sessions"),
                data.get("integration_every"),
            )
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, "Course ordered. Review and sign the order to start it.")
            return redirect("treatment:course", course_id=course.pk)
    record_page_read(request, access, "course order form")
    return render(
        request,
        "treatment/order.html",
        {"form": form, "patient": access.patient, "weight": weight, "measured_on": measured_on},
    )


@login_required
@require_GET
def course(request: HttpRequest, course_id: str) -> HttpResponse:
    access, found = course_for_user(request_user(request), course_id, Capability.VIEW_CLINICAL)
    record_patient_access(web_actor(request), access, "read", "course")
    return render(
        request,
        "treatment/course.html",
        {
            "course": found,
            "patient": access.patient,
            "orders": courses.orders_of(found),
            "schedule": courses.schedule_of(found),
            "may_order": can(access.role, Capability.ORDER_TREATMENT),
            "may_schedule": can(access.role, Capability.MANAGE_SCHEDULE),
            "may_record_dose": can(access.role, Capability.EDIT_CLINICAL),
            "suggestions": titration.open_suggestions(found)
            if can(access.role, Capability.EDIT_CLINICAL)
            else [],
            "decisions": courses.decisions_of(found),
            "today": timezone.localdate(),
            "adjunct_form": AdjunctForm(),
            "session_notes": note_queries.therapy_notes(access.patient)
            if can(access.role, Capability.READ_NOTES)
            else [],
            "protocol": dosing.course_protocol(found),
            "pk_supported": pk_plans.supported(found.product),
            "pk_estimate": pk_plans.ESTIMATE,
        },
    )


@login_required
@require_POST
def sign(request: HttpRequest, order_id: str) -> HttpResponse:
    found = courses.order(order_id)
    if found is None:
        raise Http404("no such order")
    access = get_patient_for_user(
        request_user(request), found.patient_id, Capability.ORDER_TREATMENT
    )
    try:
        actions.sign_order(web_actor(request), access, found, int(request.POST.get("version") or 0))
    except Conflict as exc:
        messages.error(request, as_sentence(exc))
    else:
        messages.success(request, "Order signed: the course is active.")
    return redirect("treatment:course", course_id=found.course_id)


@login_required
@require_POST
def maintenance(request: HttpRequest, course_id: str) -> HttpResponse:
    access, found = course_for_user(request_user(request), course_id, Capability.ORDER_TREATMENT)
    try:
        actions.start_maintenance(
            web_actor(request), access, found, int(request.POST.get("version") or 0)
        )
    except Conflict as exc:
        messages.error(request, as_sentence(exc))
    else:
        messages.success(request, "Moved to maintenance; the schedule is replanned.")
    return redirect("treatment:course", course_id=found.pk)


@login_required
@require_POST
def move(request: HttpRequest, session_id: str) -> HttpResponse:
    access, session = session_for_user(request_user(request), session_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            actions.move_session(
                web_actor(request),
                access,
                session,
                form.cleaned_data["version"],
                form.cleaned_data["on"],
            )
        except (InvalidInput, Conflict) as exc:
            messages.error(request, as_sentence(exc))
        else:
            messages.success(request, "Session moved.")
    else:
        messages.error(request, "Choose a date.")
    return redirect("treatment:course", course_id=session.course_id)


@login_required
@require_POST
def mark(request: HttpRequest, session_id: str) -> HttpResponse:
    access, session = session_for_user(request_user(request), session_id)
    form = MarkForm(request.POST)
    if form.is_valid():
        note_id = form.cleaned_data.get("clinical_note")
        note = note_queries.note_of(access.patient, note_id) if note_id else None
        try:
            actions.mark_session(
                web_actor(request),
                access,
                session,
                form.cleaned_data["version"],
                form.cleaned_data["state"],
                form.cleaned_data["note"],
                note,
                form.cleaned_data.get("poorly_tolerated") or "",
            )
        except (InvalidInput, Conflict) as exc:
            messages.error(request, as_sentence(exc))
        else:
            messages.success(request, f"Session marked {form.cleaned_data['state']}.")
    else:
        messages.error(request, "Give a short note (3 characters or more).")
    return redirect("treatment:course", course_id=session.course_id)


@login_required
@require_POST
def decide(request: HttpRequest, course_id: str) -> HttpResponse:
    access, found = course_for_user(request_user(request), course_id, Capability.ORDER_TREATMENT)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or dismiss and give a short note.")
        return redirect("treatment:course", course_id=found.pk)
    data = form.cleaned_data
    try:
        row = titration_actions.decide(
            web_actor(request),
            access,
            found,
            rule=data["rule"],
            situation=data["situation"],
            decision=data["decision"],
            note=data["note"],
        )
    except (InvalidInput, Conflict) as exc:
        messages.error(request, as_sentence(exc))
        return redirect("treatment:course", course_id=found.pk)
    messages.success(request, f"Suggestion {row.decision}.")
    proposed = row.suggestion.get("proposed_mg_per_kg") or row.suggestion.get("proposed_mg")
    if row.decision == TitrationDecision.Decision.ACCEPTED and proposed:
        field = "dose_mg_per_kg" if row.suggestion.get("proposed_mg_per_kg") else "dose_mg"
        url = reverse("treatment:new_order", kwargs={"course_id": found.pk})
        messages.info(request, "Write the new order with the accepted dose, then sign it.")
        return redirect(f"{url}?{urlencode({field: proposed})}")
    return redirect("treatment:course", course_id=found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def new_order(request: HttpRequest, course_id: str) -> HttpResponse:
    """A dose change: a new order on the course, which the prescriber then signs."""
    access, found = course_for_user(request_user(request), course_id, Capability.ORDER_TREATMENT)
    latest = courses.latest_order(found)
    initial: dict[str, Any] = {}
    if latest is not None:
        initial = {
            "dose_mg_per_kg": latest.dose_mg_per_kg,
            "dose_mg": latest.dose_mg,
            "stock_product": str(latest.stock_product_id or ""),
            "diluent": latest.diluent,
            "final_volume_ml": latest.final_volume_ml,
            "duration_min": latest.duration_min,
        }
    for name in ("dose_mg_per_kg", "dose_mg"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = OrderForm(
        request.POST or None,
        initial=initial,
        products=dosing.stock_products(access.patient.clinic_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_dose(web_actor(request), access, found, _params(form.cleaned_data))
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, "New order written. Review and sign it.")
            return redirect("treatment:course", course_id=found.pk)
    record_page_read(request, access, "dose order form")
    return render(
        request,
        "treatment/new_order.html",
        {
            "form": form,
            "course": found,
            "patient": access.patient,
            "protocol": dosing.course_protocol(found),
            "pk_supported": pk_plans.supported(found.product),
            "pk_estimate": pk_plans.ESTIMATE,
        },
    )


@login_required
@require_POST
def adjunct(request: HttpRequest, course_id: str) -> HttpResponse:
    access, found = course_for_user(request_user(request), course_id, Capability.MANAGE_SCHEDULE)
    form = AdjunctForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_adjunct(
                web_actor(request), access, found, data["kind"], data["on"], data["note"]
            )
        except (InvalidInput, Conflict) as exc:
            messages.error(request, as_sentence(exc))
        else:
            messages.success(request, "Session added to the plan.")
    else:
        messages.error(request, "Choose the kind of session and a date.")
    return redirect("treatment:course", course_id=found.pk)


@login_required
@require_GET
def chart_section(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    record_patient_access(web_actor(request), access, "read", "courses")
    known = clinic_protocols.names(access.patient.clinic_id)
    return render(
        request,
        "treatment/partials/chart_section.html",
        {
            "patient": access.patient,
            "courses": [
                (c, known.get(c.protocol_id, c.protocol_id))
                for c in courses.courses_of(access.patient)
            ],
            "repeated": dose_history.repeated_dosing_summary(access.patient),
            "repeated_sources": (repeated_dosing.URINARY_SOURCE, repeated_dosing.LIVER_SOURCE),
            "may_order": can(access.role, Capability.ORDER_TREATMENT)
            and not access.patient.in_error,
        },
    )
