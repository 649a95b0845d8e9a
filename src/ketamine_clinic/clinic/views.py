"""The clinic's home, its dashboard, and the patient's page of questionnaires."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.current import current_membership, membership_with
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, Role, can
from ketamine_clinic.assessments import alert_badge
from ketamine_clinic.assessments.catalogue import self_report_instruments
from ketamine_clinic.assessments.forms import AcknowledgeForm
from ketamine_clinic.clinic import queries
from ketamine_clinic.clinic.glance import glance
from ketamine_clinic.clinic.timeline import events
from ketamine_clinic.inventory.queries import ledger_tasks
from ketamine_clinic.patients.access import get_patient_for_user, own_chart
from ketamine_clinic.treatment_sessions.rems import due_rows as rems_due_rows


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where each role lands: a patient on the portal, staff on open safety alerts first."""
    membership = current_membership(request)
    if membership is None:
        return render(request, "accounts/no_clinic.html", status=403)
    if membership.role == Role.PATIENT:
        return redirect("patients:portal")
    if alert_badge.lands_on_alerts(membership.clinic_id, membership.role):
        return redirect("clinic:dashboard")  # open safety alerts come first
    return redirect("patients:list")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = membership_with(request, Capability.VIEW_ALERTS)
    clinic = membership.clinic
    alerts = queries.open_alerts(clinic)
    due = queries.measurement_due_patients(clinic)
    record_access(
        web_actor(request), action="list", what="dashboard", clinic=clinic, role=membership.role
    )
    return render(
        request,
        "clinic/dashboard.html",
        {
            "alerts": alerts,
            "due": due,
            "interval_days": clinic.measurement_interval_days,
            "may_acknowledge": can(membership.role, Capability.ACKNOWLEDGE_ALERT),
            "form": AcknowledgeForm(),
            "rems_due": rems_due_rows([clinic.pk])
            if can(membership.role, Capability.EDIT_CLINICAL)
            else None,
            "ledger": ledger_tasks(clinic.pk)
            if can(membership.role, Capability.VIEW_LEDGER)
            else None,
        },
    )


@login_required
@require_GET
def my_questionnaires(request: HttpRequest) -> HttpResponse:
    """The patient's questionnaires to fill in, their recent scores and coming sessions."""
    patient, _ = own_chart(request)
    context = {
        "patient": patient,
        "instruments": self_report_instruments(patient.clinic_id),
        "recent": queries.recent_scores(patient),
        "upcoming": queries.upcoming_sessions(patient),
    }
    for what in ("assessments", "schedule"):
        record_access(
            web_actor(request), action="read", what=what, clinic=patient.clinic_id,
            patient_id=patient.pk, role=Role.PATIENT,
        )  # fmt: skip
    return render(request, "clinic/my_questionnaires.html", context)


@login_required
@require_GET
def timeline(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The chart's timeline card: the patient's clinical events, newest first, a page at a
    time."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        return HttpResponseBadRequest("page: a whole number from 1 to 1000")
    page = int(raw)
    found, more = events(access.patient, page, notes=can(access.role, Capability.READ_NOTES))
    record_access(web_actor(request), action="read", what="timeline",
                  clinic=access.patient.clinic_id, patient_id=access.patient.pk,
                  role=access.role)  # fmt: skip
    context = {"patient": access.patient, "events": found, "page": page, "more": more}
    return render(request, "clinic/partials/timeline.html", context)


@login_required
@require_GET
def at_a_glance(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The chart's first card: alerts, the latest PHQ-9, the course and what comes next."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    found = glance(access.patient)
    record_access(web_actor(request), action="read", what="chart at a glance",
                  clinic=access.patient.clinic_id, patient_id=access.patient.pk,
                  role=access.role)  # fmt: skip
    return render(request, "clinic/partials/glance.html", {"patient": access.patient, "g": found})
