"""The treatment session over the API: open it, step it, record at the chair, discharge."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical import chair, pre_dose
from ketamine_clinic.clinical.vital_signs import (
    Reading,
    sedation_alert,
    suggestion,
    vital_alerts,
)
from ketamine_clinic.compiled_sql import rows_by
from ketamine_clinic.errors import InvalidInput
from ketamine_clinic.inventory.witness import authenticate_witness
from ketamine_clinic.patients.access import clinics_where, record_patient_access
from ketamine_clinic.pdf import pdf_response, render_pdf
from ketamine_clinic.schema_types import files, line
from ketamine_clinic.treatment.access import course_for_user
from ketamine_clinic.treatment.models import ScheduledSession
from ketamine_clinic.treatment_sessions import actions, billing, facts, rems
from ketamine_clinic.treatment_sessions.access import session_for_user
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    Entry,
    Observation,
    PreDoseCheck,
    Transition,
    TreatmentSession,
    VitalSigns,
)

router = Router(tags=["treatment sessions"])

Version = Annotated[int, Field(ge=1, description="The session version your screen shows")]


class SessionOpen(Schema):
    scheduled: uuid.UUID | None = Field(
        None, description="The planned dosing day; default: today's in this course"
    )


class StepIn(Schema):
    version: Version


class ChecksIn(Schema):
    version: Version
    identity_confirmed: bool
    ride_home: bool
    ride_name: Annotated[str, line(200)] = ""
    last_food_at: datetime | None = None
    last_liquid_at: datetime | None = None
    nasal_steroid_decongestant_at: datetime | None = None
    pregnancy: Literal["not_applicable", "not_pregnant", "pregnant", "unknown"]
    intoxicated: bool = Field(False, description="Signs of intoxication: no dosing today")
    urinary_symptoms: Literal["", "none", "present"] = Field(
        "", description="Urinary or bladder symptoms, asked at every dosing session; '' = not asked"
    )
    medication_changes: Annotated[str, line(2000)] = ""
    benzodiazepines: bool
    non_benzodiazepine_sedative_hypnotics: bool
    psychostimulants: bool
    maois: bool
    opioids: bool
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class PassIn(Schema):
    version: Version
    override_reason: Annotated[str, line(2000)] = Field(
        "", description="A prescriber's reason to dose despite an overridable finding"
    )


class VitalsIn(Schema):
    version: Version
    at: datetime | None = None
    systolic_mmhg: Annotated[int, Field(ge=0, le=400)] | None = None
    diastolic_mmhg: Annotated[int, Field(ge=0, le=400)] | None = None
    heart_rate_bpm: Annotated[int, Field(ge=0, le=400)] | None = None
    spo2_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    respiratory_rate_per_min: Annotated[int, Field(ge=0, le=100)] | None = None
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class DoseIn(Schema):
    version: Version
    action: Literal[
        "device", "iv_start", "iv_pause", "iv_resume", "iv_rate", "iv_stop", "im_injection", "oral"
    ]
    at: datetime | None = None
    container: uuid.UUID | None = Field(
        None, description="The container drawn from (device, infusion start, injection)"
    )
    drawn_mg: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)] | None = None
    given_mg: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)] | None = None
    waste_mg: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)] | None = None
    rate_ml_per_h: Annotated[Decimal, Field(gt=0, le=2000, decimal_places=2)] | None = None
    note: Annotated[str, line(1000)] = ""


class ObservationIn(Schema):
    version: Version
    scale: Literal["moaas", "cadss", "bprs_plus"]
    score: Annotated[int, Field(ge=0, le=92)] = Field(
        description="MOAA/S 0-5, CADSS 0-92, BPRS+ 4-28 (the instruments' totals; /instruments)"
    )
    note: Annotated[str, line(1000)] = ""
    at: datetime | None = None
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class AdverseEventIn(Schema):
    version: Version
    kind: Literal[
        "dissociation",
        "nausea",
        "vomiting",
        "dizziness",
        "hallucinations",
        "confusion",
        "sedation",
        "raised_bp",
        "respiratory_depression",
        "other",
    ]
    severity: Literal["mild", "moderate", "severe"]
    action_taken: Annotated[str, line(1000)] = ""
    serious: bool = False
    resolved_at: datetime | None = None
    at: datetime | None = None
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class ReadyIn(Schema):
    version: Version
    responsible_adult: Annotated[str, line(200, min_length=2)]
    ready_without_rule_min: Annotated[int, Field(ge=0, le=600)] | None = Field(
        None, description="REMS: minutes from the first device to when they could have left"
    )
    vitals_override_reason: Annotated[str, line(2000)] = Field(
        "", description="A prescriber's reason to let the patient go with vitals out of range"
    )


class DischargeIn(Schema):
    version: Version
    note: Annotated[str, line(2000)] = ""


class AbortIn(Schema):
    version: Version
    reason: Annotated[str, line(1000, min_length=3)]


class TransitionOut(Schema):
    from_state: str
    to_state: str
    at: datetime
    by: uuid.UUID = Field(..., alias="by_id")
    note: str


class EntryOut(Schema):
    id: uuid.UUID
    type: str
    at: datetime
    recorded_at: datetime
    recorded_by: uuid.UUID
    corrects: uuid.UUID | None
    correction_reason: str
    current: bool
    data: dict[str, Any]


class DueNowOut(Schema):
    what: str
    at_min: int
    overdue: bool


class SessionOut(Schema):
    id: uuid.UUID
    version: int
    patient: uuid.UUID = Field(..., alias="patient_id")
    course: uuid.UUID = Field(..., alias="course_id")
    order: uuid.UUID = Field(..., alias="order_id")
    scheduled: uuid.UUID | None = Field(None, alias="scheduled_id")
    product: str
    route: str
    state: str
    on: date
    checked_in_at: datetime | None
    checks_passed_at: datetime | None
    dosing_started_at: datetime | None
    monitoring_started_at: datetime | None
    ready_at: datetime | None
    discharged_at: datetime | None
    aborted_at: datetime | None
    abort_reason: str
    bp_override_reason: str
    responsible_adult: str
    ready_without_rule_min: int | None


class TimelineOut(SessionOut):
    transitions: list[TransitionOut]
    entries: list[EntryOut]
    due: list[DueNowOut]
    pre_dose_problems: list[str]
    pre_dose_overridable: list[str]
    pre_dose_warnings: list[str]
    discharge_problems: list[str]
    alerts: list[str]
    alert_steps: list[str] = Field(description="What to do first, for the alerts standing now")
    alert_pump: Literal["pause", "stop"] | None = Field(
        description="For a running infusion: pause or stop it"
    )


ENTRY_MODELS: dict[str, type[Entry]] = {
    "checks": PreDoseCheck,
    "vitals": VitalSigns,
    "dose": Administration,
    "observation": Observation,
    "adverse_event": AdverseEvent,
}
# The timeline reads all of them on every refresh at the chair (compiled_sql: why); the
# entries are sorted together below, so each kind is read in no particular order.
ENTRY_READS = {
    kind: rows_by(model, "session_id", ordered=False) for kind, model in ENTRY_MODELS.items()
}
TRANSITIONS = rows_by(Transition, "session_id")
COMMON = {"id", "session", "at", "recorded_at", "recorded_by", "corrects", "correction_reason"}


def _entry_out(kind: str, entry: Entry, current: bool = True) -> dict[str, Any]:
    """An entry as the API shows it; `current` unless a later entry corrects it (a new
    entry is current: nothing can have corrected it yet)."""
    data = {
        f.name: getattr(entry, f.attname)
        for f in entry._meta.concrete_fields
        if f.name not in COMMON
    }
    return {
        "id": entry.pk,
        "type": kind,
        "at": entry.at,
        "recorded_at": entry.recorded_at,
        "recorded_by": entry.recorded_by_id,
        "corrects": entry.corrects_id,  # type: ignore[attr-defined]
        "correction_reason": entry.correction_reason,
        "current": current,
        "data": data,
    }


def timeline(session: TreatmentSession) -> dict[str, Any]:
    """The session with every step and entry in time order, and what is due or missing now."""
    entries: list[dict[str, Any]] = []
    current_vitals: list[Any] = []
    for kind, model in ENTRY_MODELS.items():
        found = ENTRY_READS[kind](session)
        corrected = {e.corrects_id for e in found if e.corrects_id}  # type: ignore[attr-defined]
        entries += [_entry_out(kind, e, e.pk not in corrected) for e in found]
        if model is VitalSigns:  # corrections stay in their session, so this is all of them
            current_vitals = [e for e in found if e.pk not in corrected]
    entries.sort(key=lambda e: (e["at"], e["recorded_at"]))
    limits = facts.limits(session)
    checking = session.state == "checked_in"
    verdict = (
        pre_dose.check(actions.chair_checks(session), limits)
        if checking
        else pre_dose.Verdict((), ())
    )
    discharge = (
        chair.discharge_problems(
            facts.discharge_facts(session, bool(session.responsible_adult)), limits
        )
        if session.state == "monitoring"
        else []
    )
    latest = max(current_vitals, key=lambda v: (v.at, v.recorded_at), default=None)
    return {
        **{f.attname: getattr(session, f.attname) for f in session._meta.concrete_fields},
        "transitions": TRANSITIONS(session),
        "entries": entries,
        "due": facts.due(session),
        "pre_dose_problems": list(verdict.blocking),
        "pre_dose_overridable": list(verdict.overridable),
        "pre_dose_warnings": list(verdict.warnings),
        "discharge_problems": [p for p in discharge if "responsible adult" not in p],
        **standing_alerts(session, latest, limits),
    }


def standing_alerts(session: TreatmentSession, latest: Any, limits: Any) -> dict[str, Any]:
    """The alerts of the last vitals and the last MOAA/S, with what to do first."""
    texts = list(latest.alerts) if latest else []
    kinds = [a.kind for a in vital_alerts(facts.reading(latest), limits)] if latest else []
    sedation = sedation_alert(facts.latest_score(session, "moaas"), limits)
    if sedation is not None:
        texts.append(sedation.text)
        kinds.append(sedation.kind)
    pump, steps = suggestion(kinds, facts.infusing(session))
    return {"alerts": texts, "alert_steps": steps, "alert_pump": pump}


def _corrects(model: type[Entry], session: TreatmentSession, entry_id: uuid.UUID | None) -> Any:
    if entry_id is None:
        return None
    found = model._default_manager.filter(pk=entry_id, session=session).first()
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
    planned = ScheduledSession.objects.filter(
        course=course, kind=ScheduledSession.Kind.DOSING, status="active"
    )
    if payload.scheduled is not None:
        scheduled = planned.filter(pk=payload.scheduled).first()
        if scheduled is None:
            raise Http404("no such planned session in this course")
    else:
        scheduled = planned.filter(on=timezone.localdate(), state="planned").first()
        if scheduled is None:
            raise InvalidInput("scheduled", "no dosing session is planned today in this course")
    return Status(201, actions.open_session(api_actor(request), access, scheduled))


@router.get("/sessions", response=list[SessionOut], summary="Today's sessions in your clinics")
def list_sessions(request: HttpRequest, on: date | None = None) -> list[TreatmentSession]:
    clinic_ids = clinics_where(request_user(request), Capability.EDIT_CLINICAL)
    if not clinic_ids:
        raise PermissionDenied("your role does not work at the chair")
    return list(
        TreatmentSession.objects.filter(
            patient__clinic_id__in=clinic_ids, on=on or timezone.localdate(), status="active"
        ).order_by("created_at")
    )


@router.get("/sessions/{session_id}", response=TimelineOut, summary="A session's timeline")
def get_session(request: HttpRequest, session_id: uuid.UUID) -> dict[str, Any]:
    access, session = _clinical(request, session_id)
    record_patient_access(api_actor(request), access, "read", "treatment_session")
    return timeline(session)


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
    return Status(201, _entry_out("checks", entry))


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
    return Status(201, _entry_out("vitals", entry))


@router.post(
    "/sessions/{session_id}/doses",
    response={201: EntryOut},
    summary="Give a dose against the signed order (device, infusion events, injection)",
)
def doses(request: HttpRequest, session_id: uuid.UUID, payload: DoseIn) -> Status:
    access, session = _clinical(request, session_id)
    values = payload.model_dump(exclude={"version", "action", "at", "container"})
    if payload.container is not None:
        values["container"] = actions.session_container(session, payload.container)
    entry = actions.administer(
        api_actor(request), access, session, payload.version, payload.action, values, payload.at
    )
    return Status(201, _entry_out("dose", entry))


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
    return Status(201, _entry_out("observation", entry))


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
    return Status(201, _entry_out("adverse_event", entry))


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


class RemsFormOut(Schema):
    session: uuid.UUID
    form: dict[str, Any]
    missing: list[str]
    due_on: date
    status: str
    submitted_at: datetime | None
    reference: str


class SubmittedIn(Schema):
    version: Version
    reference: Annotated[str, line(100)] = Field("", description="The REMS confirmation, if any")


class DueOut(Schema):
    session: uuid.UUID
    patient: uuid.UUID
    patient_name: str
    on: date
    due_on: date
    status: str
    signed: bool


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
def sign(request: HttpRequest, session_id: uuid.UUID, payload: StepIn) -> TreatmentSession:
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
            "t": timeline(session),
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


class FollowUpIn(Schema):
    which: list[Literal["4h", "24h"]] = Field(..., min_length=1, max_length=2)


class FollowUpOut(Schema):
    context: str
    url: str
    opens_at: datetime
    expires_at: datetime


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


class WasteIn(Schema):
    version: Version
    witness_username: Annotated[str, Field(max_length=150)]
    witness_password: Annotated[str, Field(max_length=200)]


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
