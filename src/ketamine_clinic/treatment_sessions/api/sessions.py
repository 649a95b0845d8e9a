"""The treatment session over the API: open it, step it, record at the chair, discharge."""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical.vital_signs import (
    Reading,
)
from ketamine_clinic.common.api_contract import QueryDate
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.pdf import pdf_response, render_pdf
from ketamine_clinic.common.schema_types import files
from ketamine_clinic.inventory.witness import authenticate_witness
from ketamine_clinic.patients.access import clinics_where, record_patient_access
from ketamine_clinic.treatment.access import course_for_user
from ketamine_clinic.treatment_sessions import actions, billing, facts, queries, rems
from ketamine_clinic.treatment_sessions.access import session_for_user
from ketamine_clinic.treatment_sessions.models import (
    AdverseEvent,
    Entry,
    Observation,
    PreDoseCheck,
    TreatmentSession,
    VitalSigns,
)
from ketamine_clinic.treatment_sessions.schemas import (
    AbortIn,
    AdverseEventIn,
    ChecksIn,
    DischargeIn,
    DoseIn,
    DueOut,
    EntryOut,
    FollowUpIn,
    FollowUpOut,
    ObservationIn,
    PassIn,
    ReadyIn,
    RemsFormOut,
    SessionOpen,
    SessionOut,
    StepIn,
    SubmittedIn,
    TimelineOut,
    VitalsIn,
    WasteIn,
)

router = Router(tags=["treatment sessions"])


def _corrects(model: type[Entry], session: TreatmentSession, entry_id: uuid.UUID | None) -> Any:
    if entry_id is None:
        return None
    found = queries.session_entry(model, session, entry_id)
    if found is None:
        raise InvalidInput("corrects", "no such entry in this session")
    return found


def _clinical(request: HttpRequest, session_id: uuid.UUID) -> tuple[Any, TreatmentSession]:
    return session_for_user(request_user(request), session_id, Capability.EDIT_CLINICAL)


@router.post(
    "/courses/{course_id}/sessions",
    response={201: SessionOut},
    summary="Open today's treatment session for a planned dosing day",
)
def open_session(request: HttpRequest, course_id: uuid.UUID, payload: SessionOpen) -> Status:
    access, course = course_for_user(request_user(request), course_id, Capability.MANAGE_SCHEDULE)
    scheduled = queries.planned_dosing(course, payload.scheduled)
    if scheduled is None and payload.scheduled is not None:
        raise Http404("no such planned session in this course")
    if scheduled is None:
        raise InvalidInput("scheduled", "no dosing session is planned today in this course")
    return Status(201, actions.open_session(api_actor(request), access, scheduled))


@router.get("/sessions", response=list[SessionOut], summary="Today's sessions in your clinics")
def list_sessions(request: HttpRequest, on: QueryDate | None = None) -> list[TreatmentSession]:
    clinic_ids = clinics_where(request_user(request), Capability.EDIT_CLINICAL)
    if not clinic_ids:
        raise PermissionDenied("your role does not work at the chair")
    return list(queries.sessions_on(clinic_ids, on or timezone.localdate()))


@router.get("/sessions/{session_id}", response=TimelineOut, summary="A session's timeline")
def get_session(request: HttpRequest, session_id: uuid.UUID) -> dict[str, Any]:
    access, session = _clinical(request, session_id)
    record_patient_access(api_actor(request), access, "read", "treatment_session")
    return queries.timeline(session)


@router.post("/sessions/{session_id}/check-in", response=SessionOut, summary="Check the patient in")
def check_in(request: HttpRequest, session_id: uuid.UUID, payload: StepIn) -> TreatmentSession:
    access, session = session_for_user(
        request_user(request), session_id, Capability.MANAGE_SCHEDULE
    )
    return actions.check_in(api_actor(request), access, session, payload.version)


@router.post(
    "/sessions/{session_id}/checks", response={201: EntryOut}, summary="Record the pre-dose checks"
)
def checks(request: HttpRequest, session_id: uuid.UUID, payload: ChecksIn) -> Status:
    access, session = _clinical(request, session_id)
    values = payload.model_dump(exclude={"version", "corrects", "correction_reason"})
    entry = actions.record_checks(
        api_actor(request),
        access,
        session,
        payload.version,
        values,
        _corrects(PreDoseCheck, session, payload.corrects),
        payload.correction_reason,
    )
    return Status(201, queries.entry_out("checks", entry))


@router.post(
    "/sessions/{session_id}/checks/pass",
    response=SessionOut,
    summary="Pass the pre-dose checks (409 naming what blocks; overrides by prescribers)",
)
def pass_checks(request: HttpRequest, session_id: uuid.UUID, payload: PassIn) -> TreatmentSession:
    access, session = _clinical(request, session_id)
    return actions.pass_checks(
        api_actor(request), access, session, payload.version, payload.override_reason
    )


@router.post(
    "/sessions/{session_id}/vitals", response={201: EntryOut}, summary="Record vital signs"
)
def vitals(request: HttpRequest, session_id: uuid.UUID, payload: VitalsIn) -> Status:
    access, session = _clinical(request, session_id)
    reading = Reading(
        payload.systolic_mmhg,
        payload.diastolic_mmhg,
        payload.heart_rate_bpm,
        payload.spo2_pct,
        payload.respiratory_rate_per_min,
    )
    entry = actions.record_vitals(
        api_actor(request),
        access,
        session,
        payload.version,
        reading,
        payload.at,
        _corrects(VitalSigns, session, payload.corrects),
        payload.correction_reason,
    )
    return Status(201, queries.entry_out("vitals", entry))


@router.post(
    "/sessions/{session_id}/doses",
    response={201: EntryOut},
    summary="Give a dose against the signed order (device, infusion events, injection)",
)
def doses(request: HttpRequest, session_id: uuid.UUID, payload: DoseIn) -> Status:
    access, session = _clinical(request, session_id)
    values = payload.model_dump(exclude={"version", "action", "at", "container"})
    if payload.container is not None:
        values["container"] = facts.session_container(session, payload.container)
    entry = actions.administer(
        api_actor(request), access, session, payload.version, payload.action, values, payload.at
    )
    return Status(201, queries.entry_out("dose", entry))


@router.post(
    "/sessions/{session_id}/observations",
    response={201: EntryOut},
    summary="Record MOAA/S, CADSS or BPRS+",
)
def observations(request: HttpRequest, session_id: uuid.UUID, payload: ObservationIn) -> Status:
    access, session = _clinical(request, session_id)
    entry = actions.record_observation(
        api_actor(request),
        access,
        session,
        payload.version,
        payload.scale,
        payload.score,
        payload.note,
        payload.at,
        _corrects(Observation, session, payload.corrects),
        payload.correction_reason,
    )
    return Status(201, queries.entry_out("observation", entry))


@router.post(
    "/sessions/{session_id}/adverse-events",
    response={201: EntryOut},
    summary="Record an adverse event, or a new version of one (resolved, changed severity)",
)
def adverse_events(request: HttpRequest, session_id: uuid.UUID, payload: AdverseEventIn) -> Status:
    access, session = _clinical(request, session_id)
    values = payload.model_dump(exclude={"version", "at", "corrects", "correction_reason"})
    entry = actions.record_adverse_event(
        api_actor(request),
        access,
        session,
        payload.version,
        values,
        payload.at,
        _corrects(AdverseEvent, session, payload.corrects),
        payload.correction_reason,
    )
    return Status(201, queries.entry_out("adverse_event", entry))


@router.post(
    "/sessions/{session_id}/ready",
    response=SessionOut,
    summary="Ready for discharge (409 naming each criterion not met)",
)
def ready(request: HttpRequest, session_id: uuid.UUID, payload: ReadyIn) -> TreatmentSession:
    access, session = _clinical(request, session_id)
    return actions.mark_ready(
        api_actor(request),
        access,
        session,
        payload.version,
        payload.responsible_adult,
        payload.ready_without_rule_min,
        payload.vitals_override_reason,
    )


@router.post("/sessions/{session_id}/discharge", response=SessionOut, summary="Discharge")
def discharge(
    request: HttpRequest, session_id: uuid.UUID, payload: DischargeIn
) -> TreatmentSession:
    access, session = _clinical(request, session_id)
    return actions.discharge(api_actor(request), access, session, payload.version, payload.note)


@router.post(
    "/sessions/{session_id}/abort",
    response=SessionOut,
    summary="Abort before the first dose, with the reason",
)
def abort(request: HttpRequest, session_id: uuid.UUID, payload: AbortIn) -> TreatmentSession:
    access, session = session_for_user(
        request_user(request), session_id, Capability.MANAGE_SCHEDULE
    )
    return actions.abort(api_actor(request), access, session, payload.version, payload.reason)


def _rems_out(session: TreatmentSession) -> dict[str, Any]:
    context = rems.form_context(session)
    form = context["form"]
    return {
        "session": session.pk,
        "form": {**vars(form), "lot_numbers": list(form.lot_numbers)},
        "missing": context["missing"],
        "due_on": context["due_on"],
        "status": context["status"],
        "submitted_at": session.rems_submitted_at,
        "reference": session.rems_reference,
    }


def _esketamine(session: TreatmentSession) -> None:
    if session.product != "esketamine_nasal":
        raise Http404("only esketamine sessions have a REMS monitoring form")


@router.get(
    "/sessions/{session_id}/rems-form",
    response=RemsFormOut,
    summary="The REMS Patient Monitoring Form, filled from the session, with what it lacks",
)
def rems_form(request: HttpRequest, session_id: uuid.UUID) -> dict[str, Any]:
    access, session = _clinical(request, session_id)
    _esketamine(session)
    record_patient_access(api_actor(request), access, "read", "treatment_session.rems_form")
    return _rems_out(session)


@router.get(
    "/sessions/{session_id}/rems-form.pdf",
    summary="The REMS Patient Monitoring Form as PDF, to print and submit",
    openapi_extra=files("application/pdf"),
)
def rems_form_pdf(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    access, session = _clinical(request, session_id)
    _esketamine(session)
    pdf = render_pdf("treatment_sessions/rems_form_pdf.html", rems.form_context(session))
    record_patient_access(api_actor(request), access, "export", "treatment_session.rems_form")
    return pdf_response(pdf, f"rems-monitoring-{session.on.isoformat()}.pdf")


@router.post(
    "/sessions/{session_id}/rems-form/submitted",
    response=SessionOut,
    summary="Record that the REMS form was submitted (there is no public REMS API)",
)
def rems_submitted(
    request: HttpRequest, session_id: uuid.UUID, payload: SubmittedIn
) -> TreatmentSession:
    access, session = _clinical(request, session_id)
    return actions.record_rems_submission(
        api_actor(request), access, session, payload.version, payload.reference
    )


@router.post(
    "/sessions/{session_id}/sign",
    response=SessionOut,
    summary="Sign the session record (for esketamine, only with a complete REMS form)",
)
def sign_session(request: HttpRequest, session_id: uuid.UUID, payload: StepIn) -> TreatmentSession:
    access, session = _clinical(request, session_id)
    return actions.sign_record(api_actor(request), access, session, payload.version)


@router.get(
    "/sessions/{session_id}/record.pdf",
    summary="The session record as PDF",
    openapi_extra=files("application/pdf"),
)
def record_pdf(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    access, session = _clinical(request, session_id)
    pdf = render_pdf(
        "treatment_sessions/session_record_pdf.html",
        {
            "session": session,
            "patient": access.patient,
            "t": queries.timeline(session),
            "billing": billing.lines(session),
        },
    )
    record_patient_access(api_actor(request), access, "export", "treatment_session.record")
    return pdf_response(pdf, f"session-{session.on.isoformat()}.pdf")


@router.get(
    "/rems-forms/due",
    response=list[DueOut],
    summary="REMS monitoring forms not yet recorded as submitted, with their 7-day deadline",
)
def rems_due(request: HttpRequest) -> list[dict[str, Any]]:
    clinic_ids = clinics_where(request_user(request), Capability.EDIT_CLINICAL)
    if not clinic_ids:
        raise PermissionDenied("your role does not see REMS forms")
    return [
        {
            "session": row["session"].pk,
            "patient": row["session"].patient_id,
            "patient_name": row["session"].patient.full_name,
            "on": row["session"].on,
            "due_on": row["due_on"],
            "status": row["status"],
            "signed": row["session"].is_signed,
        }
        for row in rems.due_rows(clinic_ids)
    ]


@router.post(
    "/sessions/{session_id}/follow-ups",
    response={201: list[FollowUpOut]},
    summary="PHQ-9 links for 4 h and/or 24 h after the dose (each URL is shown once)",
)
def follow_ups(request: HttpRequest, session_id: uuid.UUID, payload: FollowUpIn) -> Status:
    access, session = _clinical(request, session_id)
    links = actions.follow_up_links(api_actor(request), access, session, list(payload.which))
    return Status(
        201,
        [
            {
                "context": context,
                "url": request.build_absolute_uri(reverse("assessments:link", args=[raw])),
                "opens_at": link.opens_at,
                "expires_at": link.expires_at,
            }
            for context, raw, link in links
        ],
    )


@router.post(
    "/sessions/{session_id}/waste",
    response={201: dict[str, Any]},
    summary="Waste what was drawn and not given, before a witness who signs in here",
)
def waste(request: HttpRequest, session_id: uuid.UUID, payload: WasteIn) -> Status:
    access, session = _clinical(request, session_id)
    witness, role = authenticate_witness(
        request, payload.witness_username, payload.witness_password, session.patient.clinic_id
    )
    row = actions.witness_waste(api_actor(request), access, session, payload.version, witness, role)
    return Status(
        201,
        {
            "transaction": str(row.pk),
            "quantity_mg": str(row.quantity_mg),
            "witness": str(witness.pk),
        },
    )
