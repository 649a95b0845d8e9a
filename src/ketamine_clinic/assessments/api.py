"""Instruments, assessments, outcomes, questionnaire links and safety alerts over the API."""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability, Role, can
from ketamine_clinic.assessments import actions, queries
from ketamine_clinic.assessments.access import get_alert_for_user
from ketamine_clinic.assessments.catalogue import get_instrument, instruments_for
from ketamine_clinic.assessments.models import Assessment, SafetyAlert, Source
from ketamine_clinic.assessments.outcomes import patient_series
from ketamine_clinic.assessments.schemas import (
    AlertAcknowledge,
    AlertFilters,
    AlertOut,
    AssessmentCreate,
    AssessmentCreated,
    AssessmentOut,
    InstrumentLoad,
    InstrumentOut,
    LinkCreate,
    LinkOut,
    LoadedInstrumentOut,
    OutcomeOut,
)
from ketamine_clinic.clinical.instruments import Instrument, definition_json_schema
from ketamine_clinic.patients.access import (
    clinics_where,
    get_patient_for_user,
    one_clinic,
    the_clinic,
)
from ketamine_clinic.patients.schemas import EnteredInError

router = Router(tags=["assessments"])


def instrument_out(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "version": instrument.version,
        "name": instrument.name,
        "short_name": instrument.short_name,
        "respondent": instrument.respondent,
        "instructions": instrument.instructions,
        "items": [
            {
                "id": i.id,
                "text": i.text,
                "min": i.min,
                "max": i.max,
                "choices": [{"value": c.value, "label": c.label} for c in i.choices],
                "loinc": i.loinc,
            }
            for i in instrument.items
        ],
        "scoring_groups": [list(g) for g in instrument.groups],
        "total_min": instrument.total_min,
        "total_max": instrument.total_max,
        "bands": [vars(b) for b in instrument.bands],
        "flags": [vars(f) for f in instrument.flags],
        "subscales": [
            {"id": s.id, "name": s.name, "items": list(s.items)} for s in instrument.subscales
        ],
        "loinc_panel": instrument.loinc_panel,
        "loinc_total": instrument.loinc_total,
        "outcome_measure": instrument.outcome_measure,
        "remission_at_most": instrument.remission_at_most,
        "source": instrument.source,
        "licence": instrument.licence,
        "builtin": instrument.builtin,
    }


@router.get("/instruments", response=list[InstrumentOut], summary="The instrument catalogue")
def list_instruments(request: HttpRequest, clinic: uuid.UUID | None = None) -> list[dict[str, Any]]:
    clinic_id = one_clinic(request_user(request), clinic, None)
    return [instrument_out(i) for i in instruments_for(clinic_id).values()]


@router.get("/instruments/schema", response=dict[str, Any], summary="JSON Schema of definitions")
def instrument_schema(request: HttpRequest) -> dict[str, Any]:
    return definition_json_schema()


@router.post(
    "/instruments",
    response={201: LoadedInstrumentOut},
    summary="Load a clinic's own instrument from a definition (clinic admins)",
)
def load_instrument(request: HttpRequest, payload: InstrumentLoad) -> Status:
    user = request_user(request)
    clinic = the_clinic(user, payload.clinic, Capability.MANAGE_INSTRUMENTS)
    loaded = actions.load_instrument(api_actor(request), clinic, payload.definition)
    return Status(201, loaded)


@router.get(
    "/patients/{patient_id}/assessments",
    response=list[AssessmentOut],
    summary="A patient's rating-scale administrations, newest first",
)
def list_assessments(
    request: HttpRequest, patient_id: uuid.UUID, instrument: str | None = None
) -> QuerySet[Assessment]:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    rows = queries.administrations(access.patient, instrument)
    record_access(
        api_actor(request),
        action="read",
        what="assessments",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return rows


@router.post(
    "/patients/{patient_id}/assessments",
    response={201: AssessmentCreated},
    summary="Record an administration: every item answered; returns total, severity, flags",
)
def create_assessment(
    request: HttpRequest, patient_id: uuid.UUID, payload: AssessmentCreate
) -> Status:
    user = request_user(request)
    access = get_patient_for_user(user, patient_id, Capability.VIEW_DEMOGRAPHICS)
    if access.role == Role.PATIENT:
        source = Source.PORTAL
        if not can(access.role, Capability.SELF_REPORT):
            raise PermissionDenied("patients may not record assessments")
    elif can(access.role, Capability.RECORD_ASSESSMENT):
        source = Source.STAFF
    else:
        raise PermissionDenied(f"a {access.role.label.lower()} may not record assessments")
    instrument = get_instrument(access.patient.clinic_id, payload.instrument)
    recorded = actions.record_assessment(
        api_actor(request),
        access,
        instrument,
        payload.items,
        payload.administered_at,
        payload.context,
        source=source,
        treatment_session_id=payload.treatment_session,
    )
    assessment = recorded.assessment
    assessment.alert_ids = [a.pk for a in recorded.alerts]  # type: ignore[attr-defined]
    assessment.crisis_resources = (  # type: ignore[attr-defined]
        access.patient.clinic.crisis_text
        if recorded.alerts and access.role == Role.PATIENT
        else None
    )
    return Status(201, assessment)


@router.post(
    "/patients/{patient_id}/assessments/{assessment_id}/entered-in-error",
    response=AssessmentOut,
    summary="Mark an administration entered in error, with a reason",
)
def assessment_in_error(
    request: HttpRequest, patient_id: uuid.UUID, assessment_id: uuid.UUID, payload: EnteredInError
) -> Assessment:
    access = get_patient_for_user(request_user(request), patient_id, Capability.RECORD_ASSESSMENT)
    assessment = queries.administration(access.patient, assessment_id)
    if assessment is None:
        raise Http404("no such assessment")
    return actions.mark_in_error(
        api_actor(request), access, assessment, payload.version, payload.reason
    )


@router.get(
    "/patients/{patient_id}/outcomes",
    response=list[OutcomeOut],
    summary="Trajectory and response, remission and relapse status per instrument",
)
def patient_outcomes(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    result = []
    for series in patient_series(access.patient):
        outcome = series.outcome
        result.append(
            {
                "instrument": series.instrument.id,
                "instrument_name": series.instrument.short_name,
                "outcome_measure": series.instrument.outcome_measure,
                "remission_at_most": series.remission_at_most,
                "status": outcome.status if outcome else None,
                "baseline": vars(outcome.baseline) if outcome and outcome.baseline else None,
                "latest": vars(outcome.latest) if outcome and outcome.latest else None,
                "change": outcome.change if outcome else None,
                "pct_change": outcome.pct_change if outcome else None,
                "response": bool(outcome and outcome.response),
                "remission": bool(outcome and outcome.remission),
                "first_response_at": outcome.first_response_at if outcome else None,
                "days_to_first_response": outcome.days_to_first_response if outcome else None,
                "response_lasted_days": outcome.response_lasted_days if outcome else None,
                "relapse_at": outcome.relapse_at if outcome else None,
                "dose_responses": [vars(d) for d in outcome.dose_responses] if outcome else [],
                "trajectory": [
                    {"at": a.administered_at, "total": a.total, "context": a.context}
                    for a in series.assessments
                ],
            }
        )
    record_access(
        api_actor(request),
        action="read",
        what="outcomes",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return result


@router.post(
    "/patients/{patient_id}/assessment-links",
    response={201: LinkOut},
    summary="A single-use, expiring questionnaire link for the clinic to send",
)
def create_link(request: HttpRequest, patient_id: uuid.UUID, payload: LinkCreate) -> Status:
    access = get_patient_for_user(
        request_user(request), patient_id, Capability.SEND_ASSESSMENT_LINK
    )
    instrument = get_instrument(access.patient.clinic_id, payload.instrument)
    raw, link = actions.create_link(
        api_actor(request), access, instrument, payload.context, payload.expires_in_hours
    )
    url = request.build_absolute_uri(reverse("assessments:link", args=[raw]))
    return Status(
        201, {"id": link.pk, "url": url, "expires_at": link.expires_at, "instrument": instrument.id}
    )


@router.get("/alerts", response=list[AlertOut], summary="Safety alerts in your clinics")
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> QuerySet[SafetyAlert]:
    user = request_user(request)
    clinic_ids = clinics_where(user, Capability.VIEW_ALERTS)
    if not clinic_ids:
        raise PermissionDenied("your role does not see safety alerts")
    if filters.clinic is not None:
        clinic_ids = [c for c in clinic_ids if c == filters.clinic]
    alerts = queries.alerts(clinic_ids, filters.status)
    for clinic_id in clinic_ids:
        record_access(
            api_actor(request), action="list", what="safety_alerts", clinic=clinic_id,
            role=user.role_in(clinic_id),
        )  # fmt: skip
    return alerts[:500]


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=AlertOut,
    summary="Acknowledge a safety alert with a note of what you did",
)
def acknowledge(
    request: HttpRequest, alert_id: uuid.UUID, payload: AlertAcknowledge
) -> SafetyAlert:
    alert, role = get_alert_for_user(request_user(request), alert_id, Capability.ACKNOWLEDGE_ALERT)
    return actions.acknowledge_alert(api_actor(request), alert, role, payload.action_note)
