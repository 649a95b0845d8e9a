"""The chair: today's sessions, and one session on a tablet from check-in to discharge.

Every form on the chair page carries the session version it was drawn with; a write made
from an out-of-date screen is refused and the page reloads with what the other nurse did.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ketamine_clinic.accounts import clinic_settings, screen_lock
from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.clinical.chair import VITALS_NOT_IN_RANGE, observation_ranges
from ketamine_clinic.clinical.vital_signs import Reading
from ketamine_clinic.common.errors import Conflict, InvalidInput, as_sentence
from ketamine_clinic.common.pdf import pdf_response
from ketamine_clinic.inventory.witness import authenticate_witness
from ketamine_clinic.patients.access import (
    PatientAccess,
    own_chart,
    record_list_read,
    record_patient_access,
)
from ketamine_clinic.treatment.access import course_for_user
from ketamine_clinic.treatment_sessions import actions, billing, facts, queries, rems
from ketamine_clinic.treatment_sessions.access import session_for_user
from ketamine_clinic.treatment_sessions.forms import (
    AdverseEventForm,
    ChecksForm,
    DoseForm,
    ObservationForm,
    ReadyForm,
    VitalsForm,
)
from ketamine_clinic.treatment_sessions.models import (
    AdverseEvent,
    TreatmentSession,
)
from ketamine_clinic.treatment_sessions.queries import timeline


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """Today's dosing days in this clinic: open, check in, go to the chair."""
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.MANAGE_SCHEDULE):
        raise PermissionDenied("your role does not work with the day's sessions")
    day = timezone.localdate()
    rows = queries.day_rows(membership.clinic, day)
    record_list_read(request, membership, "treatment_session.today")
    return render(
        request,
        "treatment_sessions/today.html",
        {
            "rows": rows,
            "clinical": can(membership.role, Capability.EDIT_CLINICAL),
            "day": day,
        },
    )


@login_required
@require_POST
def open_session(request: HttpRequest, scheduled_id: str) -> HttpResponse:
    scheduled = queries.planned_session(scheduled_id)
    if scheduled is None:
        raise Http404("no such session")
    access, _course = course_for_user(
        request_user(request), scheduled.course_id, Capability.MANAGE_SCHEDULE
    )
    try:
        session = actions.open_session(web_actor(request), access, scheduled)
        session = actions.check_in(web_actor(request), access, session, session.version)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, as_sentence(exc))
        return redirect("treatment_sessions:today")
    messages.success(request, f"{access.patient.full_name} is checked in.")
    if can(access.role, Capability.EDIT_CLINICAL):
        return redirect("treatment_sessions:chair", session_id=session.pk)
    return redirect("treatment_sessions:today")


@login_required
@require_GET
def status(request: HttpRequest, session_id: str) -> HttpResponse:
    """The chair's alerts and what is due, for the screen to refresh on its own."""
    access, session = session_for_user(request_user(request), session_id, Capability.EDIT_CLINICAL)
    record_patient_access(web_actor(request), access, "read", "treatment_session.status")
    context = {
        "session": session,
        "t": timeline(session),
        "dose": queries.dose_display(session),
        "locked": screen_lock.is_locked(request),
    }
    return render(request, "treatment_sessions/partials/chair_status.html", context)


RUNNING = ("checked_in", "checks_passed", "dosing", "monitoring", "ready_for_discharge")
WATCHED = ("dosing", "monitoring", "ready_for_discharge")


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Every chair in use today: its state, the clock, the next check (late or not) and any
    alert, refreshed every 30 seconds, for the nurse who looks after several chairs."""
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.EDIT_CLINICAL):
        raise PermissionDenied("your role does not see the chairs")
    sessions = queries.running_sessions(membership.clinic, timezone.localdate(), RUNNING)
    rows = []
    for session in sessions:
        data = timeline(session)
        rows.append(
            {
                "session": session,
                "first_dose_at": facts.first_dose_at(session),
                "due": data["due"],
                "alerts": data["alerts"],
                "problems": data["pre_dose_problems"] + data["discharge_problems"],
            }
        )
    record_list_read(request, membership, "treatment_session.board")
    partial = request.headers.get("HX-Request") == "true"
    template = "partials/board_rows.html" if partial else "board.html"
    return render(request, f"treatment_sessions/{template}", {"rows": rows})


@login_required
@require_GET
def chair(request: HttpRequest, session_id: str) -> HttpResponse:
    access, session = session_for_user(request_user(request), session_id, Capability.EDIT_CLINICAL)
    record_patient_access(web_actor(request), access, "read", "treatment_session")
    if session.state in WATCHED:
        screen_lock.watch(request)  # left idle, this screen locks and keeps its clock
    data = timeline(session)
    first = facts.first_dose_at(session)
    return render(
        request,
        "treatment_sessions/chair.html",
        {
            "session": session,
            "patient": access.patient,
            "t": data,
            "first_dose_at": first,
            "open_events": facts.open_adverse_events(session),
            "dose": queries.dose_display(session),
            "may_override": can(access.role, Capability.ORDER_TREATMENT),
            "settings_version": clinic_settings.in_force(access.patient.clinic_id),
            "vitals_out_of_range": any(
                p.startswith(VITALS_NOT_IN_RANGE) for p in data["discharge_problems"]
            ),
            "checks_form": ChecksForm(auto_id="checks_%s", **_fits(session, access)),
            "vitals_form": VitalsForm(auto_id="vitals_%s"),
            "event_form": AdverseEventForm(auto_id="event_%s"),
            "ready_form": ReadyForm(auto_id="ready_%s"),
            "esketamine": session.product == "esketamine_nasal",
            "scales": [
                (scale, label, *observation_ranges()[scale])
                for scale, label in (("cadss", "CADSS"), ("bprs_plus", "BPRS+"))
            ],
            "rems_gaps": rems.gaps(session),
            "containers": queries.stock_for(session),
            "waste_pending": facts.waste_pending_mg(session),
        },
    )


Step = Callable[[HttpRequest, Any, PatientAccess, TreatmentSession, int], str]


def _fits(session: TreatmentSession, access: PatientAccess) -> dict[str, Any]:
    """What the pre-dose checks depend on: the product and the patient's recorded sex."""
    return {"esketamine": session.product == "esketamine_nasal", "sex": access.patient.sex}


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else "form"
        raise InvalidInput(str(label), errors[0])
    return dict(form.cleaned_data)


def _checks(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    actions.record_checks(actor, access, s, v, _valid(ChecksForm(request.POST, **_fits(s, access))))
    return "Pre-dose checks recorded."


def _vitals(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    entry = actions.record_vitals(actor, access, s, v, Reading(**_valid(VitalsForm(request.POST))))
    if entry.alerts:
        return "ALERT: " + "; ".join(entry.alerts)
    return "Vitals recorded."


def _pass(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    actions.pass_checks(actor, access, s, v, request.POST.get("override_reason", ""))
    return "Pre-dose checks passed: ready to dose."


def _dose(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    data = _valid(DoseForm(request.POST))
    if data.get("container"):
        data["container"] = facts.session_container(s, data["container"])
    entry = actions.administer(actor, access, s, v, data.pop("action"), data)
    return f"{entry.get_action_display()} recorded."


def _observation(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    data = _valid(ObservationForm(request.POST))
    actions.record_observation(actor, access, s, v, data["scale"], data["score"])
    return "Observation recorded."


def _event(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    actions.record_adverse_event(actor, access, s, v, _valid(AdverseEventForm(request.POST)))
    return "Adverse event recorded."


def _resolve(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    try:
        event_id = uuid.UUID(request.POST.get("event", ""))
    except ValueError:
        raise InvalidInput("event", "no such adverse event in this session") from None
    event = queries.session_entry(AdverseEvent, s, event_id)
    if event is None:
        raise InvalidInput("event", "no such adverse event in this session")
    values = {
        "kind": event.kind,
        "severity": event.severity,
        "action_taken": event.action_taken,
        "serious": event.serious,
        "resolved_at": timezone.now(),
    }
    actions.record_adverse_event(actor, access, s, v, values, event.at, event, "resolved")
    return f"{event.get_kind_display()} resolved."


def _ready(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    data = _valid(ReadyForm(request.POST))
    actions.mark_ready(
        actor,
        access,
        s,
        v,
        data["responsible_adult"],
        data["ready_without_rule_min"],
        data.get("vitals_override_reason") or "",
    )
    return "Ready for discharge."


def _discharge(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    actions.discharge(actor, access, s, v, request.POST.get("note", ""))
    return "Discharged."


def _abort(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    actions.abort(actor, access, s, v, request.POST.get("reason", ""))
    return "Session aborted."


def _sign(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    actions.sign_record(actor, access, s, v)
    return "Session record signed."


def _rems(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    actions.record_rems_submission(actor, access, s, v, request.POST.get("reference", ""))
    return "REMS form recorded as submitted."


def _waste(
    request: HttpRequest, actor: Any, access: PatientAccess, s: TreatmentSession, v: int
) -> str:
    witness, role = authenticate_witness(
        request,
        request.POST.get("witness_username"),
        request.POST.get("witness_password"),
        s.patient.clinic_id,
    )
    row = actions.witness_waste(actor, access, s, v, witness, role)
    return (
        f"{row.quantity_mg} mg wasted, witnessed by {witness.get_full_name() or witness.username}."
    )


STEPS: dict[str, Step] = {
    "checks": _checks,
    "vitals": _vitals,
    "pass": _pass,
    "dose": _dose,
    "observation": _observation,
    "event": _event,
    "resolve": _resolve,
    "ready": _ready,
    "discharge": _discharge,
    "abort": _abort,
    "sign": _sign,
    "rems": _rems,
    "waste": _waste,
}


@login_required
@require_POST
def step(request: HttpRequest, session_id: str, name: str) -> HttpResponse:
    handler = STEPS.get(name)
    if handler is None:
        raise Http404("no such step")
    access, session = session_for_user(request_user(request), session_id, Capability.EDIT_CLINICAL)
    try:
        version = int(request.POST.get("version") or 0)
        note = handler(request, web_actor(request), access, session, version)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, as_sentence(exc))
    else:
        (messages.error if note.startswith("ALERT") else messages.success)(request, note)
    return redirect("treatment_sessions:chair", session_id=session.pk)


@login_required
@require_POST
def follow_ups(request: HttpRequest, session_id: str) -> HttpResponse:
    """Make the 4-hour and 24-hour PHQ-9 links and show them once, with QR codes to scan."""
    access, session = session_for_user(request_user(request), session_id, Capability.EDIT_CLINICAL)
    try:
        links = actions.follow_up_links(
            web_actor(request), access, session, request.POST.getlist("which")
        )
    except (Conflict, InvalidInput) as exc:
        messages.error(request, as_sentence(exc))
        return redirect("treatment_sessions:chair", session_id=session.pk)
    shown = []
    for context, raw, link in links:
        url = request.build_absolute_uri(reverse("assessments:link", args=[raw]))
        qr = segno.make(url, error="m").svg_data_uri(scale=4)
        shown.append({"context": context, "url": url, "qr": qr, "link": link})
    return render(
        request,
        "treatment_sessions/follow_ups.html",
        {"session": session, "patient": access.patient, "links": shown},
    )


@login_required
@require_GET
def my_superbill(request: HttpRequest) -> HttpResponse:
    """The patient's own superbill from the portal: the last year unless they choose."""
    patient, access = own_chart(request)
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start") or str(today - timedelta(days=365)))
        end = date.fromisoformat(request.GET.get("end") or str(today))
        content = billing.superbill(patient, start, end)
    except InvalidInput as exc:
        return HttpResponse(as_sentence(exc), status=400, content_type="text/plain")
    except ValueError:
        return HttpResponse("Dates as YYYY-MM-DD.", status=400, content_type="text/plain")
    record_patient_access(web_actor(request), access, "export", "superbill")
    return pdf_response(content, f"superbill-{start}-{end}.pdf", download=True)
