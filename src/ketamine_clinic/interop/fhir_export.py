"""A patient's record as FHIR R4 resources, each validated by fhir.resources before it leaves.

The resources are built as plain JSON-shaped dicts (what goes on the wire) and validated
with the R4B models of fhir.resources, which for every resource used here are the R4
(4.0.1) definitions unchanged. A record marked entered in error is exported with that
status (`entered-in-error`), never dropped: the receiving system learns it was withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from ketamine_clinic.accounts.models import Clinic, User
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.clinical.instruments.model import Instrument
from ketamine_clinic.evaluations.consent.models import Consent
from ketamine_clinic.interop import fhir_codes as codes
from ketamine_clinic.patients.models import BodyMeasurement, Diagnosis, Patient
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    TreatmentSession,
    VitalSigns,
)

Resource = dict[str, Any]


class InvalidResource(ValueError):
    """A resource we built does not validate: a bug, never sent."""


def validated(resource: Resource) -> Resource:
    model = get_fhir_model_class(resource["resourceType"])
    try:
        model.model_validate(resource)
    except ValueError as exc:
        raise InvalidResource(f"{resource['resourceType']}/{resource.get('id')}: {exc}") from exc
    return resource


def _instant(moment: datetime) -> str:
    return moment.isoformat()


def _ref(kind: str, pk: Any) -> dict[str, str]:
    return {"reference": f"{kind}/{pk}"}


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    return {"value": float(Decimal(str(value))), "unit": unit, "system": codes.UCUM, "code": unit}


def organization(clinic: Clinic) -> Resource:
    return validated(
        {
            "resourceType": "Organization",
            "id": str(clinic.pk),
            "name": clinic.name,
            **({"telecom": [{"system": "phone", "value": clinic.phone}]} if clinic.phone else {}),
            **({"address": [{"text": clinic.address}]} if clinic.address else {}),
        }
    )


def practitioner(user: User) -> Resource:
    name = {"family": user.last_name, "given": [user.first_name]} if user.last_name else {}
    return validated(
        {
            "resourceType": "Practitioner",
            "id": str(user.pk),
            "name": [{**name, "text": user.get_full_name() or user.username}],
        }
    )


def patient_resource(patient: Patient) -> Resource:
    telecom = [
        *([{"system": "phone", "value": patient.phone}] if patient.phone else []),
        *([{"system": "email", "value": patient.email}] if patient.email else []),
    ]
    contact = (
        [
            {
                "name": {"text": patient.emergency_contact_name},
                "relationship": [{"text": patient.emergency_contact_relationship or "emergency"}],
                **(
                    {"telecom": [{"system": "phone", "value": patient.emergency_contact_phone}]}
                    if patient.emergency_contact_phone
                    else {}
                ),
            }
        ]
        if patient.emergency_contact_name
        else []
    )
    return validated(
        {
            "resourceType": "Patient",
            "id": str(patient.pk),
            "identifier": [
                {"system": f"{codes.LOCAL_MRN}:{patient.clinic_id}", "value": patient.mrn}
            ],
            "active": not patient.in_error,
            "name": [{"family": patient.family_name, "given": [patient.given_name]}],
            "gender": patient.sex,
            "birthDate": patient.birth_date.isoformat(),
            **({"telecom": telecom} if telecom else {}),
            **({"address": [{"text": patient.address}]} if patient.address else {}),
            **({"contact": contact} if contact else {}),
            "managingOrganization": _ref("Organization", patient.clinic_id),
        }
    )


def condition(diagnosis: Diagnosis) -> Resource:
    verification = "entered-in-error" if diagnosis.in_error else "confirmed"
    return validated(
        {
            "resourceType": "Condition",
            "id": str(diagnosis.pk),
            "clinicalStatus": {"coding": [_coding(codes.CONDITION_CLINICAL, "active")]},
            "verificationStatus": {"coding": [_coding(codes.CONDITION_VERIFICATION, verification)]},
            "code": {
                "coding": [_coding(codes.ICD10, diagnosis.icd10_code, diagnosis.text)],
                "text": diagnosis.text,
            },
            "subject": _ref("Patient", diagnosis.patient_id),
            **({"onsetDateTime": diagnosis.onset_on.isoformat()} if diagnosis.onset_on else {}),
            "recordedDate": _instant(diagnosis.created_at),
        }
    )


def _observation(
    pk: Any,
    patient_id: Any,
    code: tuple[str, str, str],
    value: Any,
    at: datetime,
    *,
    status: str = "final",
    category: str = "vital-signs",
    encounter: Any = None,
) -> Resource:
    loinc, display, unit = code
    return validated(
        {
            "resourceType": "Observation",
            "id": str(pk),
            "status": status,
            "category": [{"coding": [_coding(codes.OBSERVATION_CATEGORY, category)]}],
            "code": {"coding": [_coding(codes.LOINC, loinc, display)], "text": display},
            "subject": _ref("Patient", patient_id),
            **({"encounter": _ref("Encounter", encounter)} if encounter else {}),
            "effectiveDateTime": _instant(at),
            "valueQuantity": _quantity(value, unit),
        }
    )


def body_measurement(m: BodyMeasurement) -> Resource:
    code = codes.BODY_WEIGHT if m.kind == "weight_kg" else codes.BODY_HEIGHT
    status = "entered-in-error" if m.in_error else "final"
    return _observation(m.pk, m.patient_id, code, m.value, m.measured_at, status=status)


def vital_signs(v: VitalSigns, patient_id: Any, current: bool) -> Iterator[Resource]:
    """One Observation per measured sign (blood pressure as a panel); a corrected entry is
    exported as entered in error, its correction as the final value."""
    status = "final" if current else "entered-in-error"
    if v.systolic_mmhg is not None and v.diastolic_mmhg is not None:
        loinc, display, _ = codes.BLOOD_PRESSURE_PANEL
        yield validated(
            {
                "resourceType": "Observation",
                "id": f"{v.pk}-bp",
                "status": status,
                "category": [{"coding": [_coding(codes.OBSERVATION_CATEGORY, "vital-signs")]}],
                "code": {
                    "coding": [_coding(codes.LOINC, loinc, display)],
                    "text": "Blood pressure",
                },
                "subject": _ref("Patient", patient_id),
                "encounter": _ref("Encounter", v.session_id),
                "effectiveDateTime": _instant(v.at),
                "component": [
                    {
                        "code": {"coding": [_coding(codes.LOINC, c[0], c[1])]},
                        "valueQuantity": _quantity(value, c[2]),
                    }
                    for c, value in (
                        (codes.SYSTOLIC, v.systolic_mmhg),
                        (codes.DIASTOLIC, v.diastolic_mmhg),
                    )
                ],
            }
        )
    for suffix, code, value in (
        ("hr", codes.HEART_RATE, v.heart_rate_bpm),
        ("spo2", codes.OXYGEN_SATURATION, v.spo2_pct),
        ("rr", codes.RESPIRATORY_RATE, v.respiratory_rate_per_min),
    ):
        if value is not None:
            yield _observation(
                f"{v.pk}-{suffix}",
                patient_id,
                code,
                value,
                v.at,
                status=status,
                encounter=v.session_id,
            )


def _instrument_code(instrument: Instrument | None, assessment: Assessment) -> dict[str, Any]:
    coding = [_coding(codes.LOCAL_INSTRUMENT, assessment.instrument_id, assessment.instrument_name)]
    if instrument is not None and instrument.loinc_total:
        coding.insert(
            0, _coding(codes.LOINC, instrument.loinc_total, f"{instrument.short_name} total score")
        )
    return {"coding": coding, "text": f"{assessment.instrument_name} total score"}


def score_observation(assessment: Assessment, instrument: Instrument | None) -> Resource:
    """The total as an Observation (LOINC total code where one exists, ours otherwise)."""
    return validated(
        {
            "resourceType": "Observation",
            "id": f"{assessment.pk}-total",
            "status": "entered-in-error" if assessment.in_error else "final",
            "category": [{"coding": [_coding(codes.OBSERVATION_CATEGORY, "survey")]}],
            "code": _instrument_code(instrument, assessment),
            "subject": _ref("Patient", assessment.patient_id),
            "effectiveDateTime": _instant(assessment.administered_at),
            "valueInteger": assessment.total,
            **(
                {"interpretation": [{"text": assessment.band_label}]}
                if assessment.band_label
                else {}
            ),
            "derivedFrom": [_ref("QuestionnaireResponse", assessment.pk)],
        }
    )


def questionnaire(instrument: Instrument) -> Resource:
    """The instrument as a Questionnaire (its canonical URL names it and its version)."""
    items = []
    for item in instrument.items:
        entry: dict[str, Any] = {"linkId": item.id, "text": item.text, "type": "integer"}
        if item.loinc:
            entry["code"] = [_coding(codes.LOINC, item.loinc)]
        if item.choices:
            entry["type"] = "choice"
            entry["answerOption"] = [
                {"valueCoding": _answer(item.loinc, c.value, c.label)} for c in item.choices
            ]
        items.append(entry)
    return validated(
        {
            "resourceType": "Questionnaire",
            "id": f"{instrument.id}-{instrument.version}".replace("_", "-"),
            "url": questionnaire_url(instrument.id),
            "version": instrument.version,
            "name": instrument.short_name.replace("-", ""),
            "title": instrument.name,
            "status": "active",
            **(
                {"code": [_coding(codes.LOINC, instrument.loinc_panel, instrument.name)]}
                if instrument.loinc_panel
                else {}
            ),
            "item": items,
        }
    )


def questionnaire_url(instrument_id: str) -> str:
    return f"{codes.LOCAL_INSTRUMENT}:{instrument_id}"


def _answer(item_loinc: str | None, value: int, label: str) -> dict[str, Any]:
    """A choice as a coding: the LOINC answer code on LOINC-coded frequency items (PHQ-9,
    GAD-7), our own otherwise."""
    if (
        item_loinc
        and value in codes.FREQUENCY_ANSWERS
        and label == codes.FREQUENCY_ANSWERS[value][1]
    ):
        code, display = codes.FREQUENCY_ANSWERS[value]
        return _coding(codes.LOINC, code, display)
    return _coding(f"{codes.LOCAL_INSTRUMENT}:answer", str(value), label)


def questionnaire_response(assessment: Assessment, instrument: Instrument | None) -> Resource:
    items = []
    for item_id, value in sorted(
        assessment.answers.items(), key=lambda kv: _order(instrument, kv[0])
    ):
        item = instrument.item_index.get(item_id) if instrument else None
        answer: dict[str, Any]
        if item is not None and item.choices and isinstance(value, int):
            answer = {"valueCoding": _answer(item.loinc, value, item.label_for(value))}
        elif isinstance(value, bool) or not isinstance(value, int):
            answer = {"valueString": str(value)}
        else:
            answer = {"valueInteger": value}
        items.append(
            {"linkId": item_id, **({"text": item.text} if item else {}), "answer": [answer]}
        )
    return validated(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(assessment.pk),
            "questionnaire": (
                f"{questionnaire_url(assessment.instrument_id)}|{assessment.instrument_version}"
            ),
            "status": "entered-in-error" if assessment.in_error else "completed",
            "subject": _ref("Patient", assessment.patient_id),
            "authored": _instant(assessment.administered_at),
            **(
                {"encounter": _ref("Encounter", assessment.treatment_session_id)}
                if assessment.treatment_session_id
                else {}
            ),
            "item": items,
        }
    )


def _order(instrument: Instrument | None, item_id: str) -> tuple[int, str]:
    if instrument is None:
        return (0, item_id)
    ids = [i.id for i in instrument.items]
    return (ids.index(item_id) if item_id in ids else len(ids), item_id)


ENCOUNTER_STATUS = {
    "scheduled": "planned",
    "checked_in": "arrived",
    "checks_passed": "in-progress",
    "dosing": "in-progress",
    "monitoring": "in-progress",
    "ready_for_discharge": "in-progress",
    "discharged": "finished",
    "aborted": "cancelled",
}


def encounter(session: TreatmentSession) -> Resource:
    status = (
        "entered-in-error" if session.in_error else ENCOUNTER_STATUS.get(session.state, "unknown")
    )
    start = session.checked_in_at or session.dosing_started_at
    end = session.discharged_at or session.aborted_at
    period = {k: _instant(v) for k, v in (("start", start), ("end", end)) if v is not None}
    return validated(
        {
            "resourceType": "Encounter",
            "id": str(session.pk),
            "status": status,
            "class": _coding(codes.ACT_CODE, "AMB", "ambulatory"),
            "type": [
                {
                    "coding": [_coding(codes.LOCAL_PRODUCT, session.product)],
                    "text": f"{session.product.replace('_', ' ')} treatment session",
                }
            ],
            "subject": _ref("Patient", session.patient_id),
            **({"period": period} if period else {}),
            "basedOn": [_ref("MedicationRequest", session.order_id)],
        }
    )


def _medication(product: str) -> dict[str, Any]:
    name = "esketamine" if product.startswith("esketamine") else "ketamine (racemic)"
    return {"coding": [_coding(codes.LOCAL_PRODUCT, product)], "text": name}


def medication_request(order: DoseOrder) -> Resource:
    calc = order.calculation or {}
    status = "entered-in-error" if order.in_error else ("active" if order.is_signed else "draft")
    dose = calc.get("dose_mg")
    return validated(
        {
            "resourceType": "MedicationRequest",
            "id": str(order.pk),
            "status": status,
            "intent": "order",
            "medicationCodeableConcept": _medication(order.course.product),
            "subject": _ref("Patient", order.patient_id),
            "authoredOn": _instant(order.signed_at or order.created_at),
            **(
                {"requester": _ref("Practitioner", order.signed_by_id)}
                if order.signed_by_id
                else {}
            ),
            "basedOn": [_ref("CarePlan", order.course_id)],
            **(
                {
                    "dosageInstruction": [
                        {
                            "text": f"{dose} mg"
                            + (
                                f" over {calc['duration_min']} min"
                                if calc.get("duration_min")
                                else ""
                            ),
                            "doseAndRate": [{"doseQuantity": _quantity(dose, "mg")}],
                        }
                    ]
                }
                if dose is not None
                else {}
            ),
        }
    )


def medication_administration(
    a: Administration, session: TreatmentSession, current: bool
) -> Resource | None:
    """A dose given: devices, infusion stop (the total given) and injections; starts,
    pauses and rate changes are steps of the same infusion, not doses."""
    if a.given_mg is None:
        return None
    route = codes.ROUTES.get(session.route)
    return validated(
        {
            "resourceType": "MedicationAdministration",
            "id": str(a.pk),
            "status": "completed" if current else "entered-in-error",
            "medicationCodeableConcept": _medication(session.product),
            "subject": _ref("Patient", session.patient_id),
            "context": _ref("Encounter", session.pk),
            "effectiveDateTime": _instant(a.at),
            "performer": [{"actor": _ref("Practitioner", a.recorded_by_id)}],
            "request": _ref("MedicationRequest", session.order_id),
            "dosage": {
                **(
                    {"route": {"coding": [_coding(codes.ROUTE, route[0], route[1])]}}
                    if route
                    else {}
                ),
                "dose": _quantity(a.given_mg, "mg"),
            },
            **({"note": [{"text": f"Lot {a.lot}"}]} if a.lot else {}),
        }
    )


def adverse_event(e: AdverseEvent, session: TreatmentSession, current: bool) -> Resource:
    return validated(
        {
            "resourceType": "AdverseEvent",
            "id": str(e.pk),
            "actuality": "actual",
            "event": {
                "coding": [_coding(codes.LOCAL_ADVERSE_EVENT, e.kind, e.get_kind_display())],
                "text": e.get_kind_display(),
            },
            "subject": _ref("Patient", session.patient_id),
            "encounter": _ref("Encounter", session.pk),
            "date": _instant(e.at),
            "recorder": _ref("Practitioner", e.recorded_by_id),
            "seriousness": {"text": "serious" if e.serious else "non-serious"},
            "severity": {
                "coding": [
                    _coding(
                        "http://terminology.hl7.org/CodeSystem/adverse-event-severity", e.severity
                    )
                ]
            },
            "outcome": {
                "coding": [
                    _coding(
                        "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                        "resolved" if e.resolved_at else "ongoing",
                    )
                ]
            },
            "suspectEntity": [{"instance": _ref("Encounter", session.pk)}],
            **({} if current else {"extension": [_in_error_flag()]}),
        }
    )


def _in_error_flag() -> dict[str, Any]:
    """AdverseEvent has no status element in R4: an entry corrected at the chair carries our
    entered-in-error flag instead."""
    return {"url": f"{codes.LOCAL}:entered-in-error", "valueBoolean": True}


def consent(c: Consent) -> Resource:
    status = "entered-in-error" if c.in_error else ("inactive" if c.withdrawn_at else "active")
    return validated(
        {
            "resourceType": "Consent",
            "id": str(c.pk),
            "status": status,
            "scope": {"coding": [_coding(codes.CONSENT_SCOPE, "treatment")]},
            "category": [{"coding": [_coding(codes.LOINC, "59284-0", "Consent Document")]}],
            "patient": _ref("Patient", c.patient_id),
            "dateTime": _instant(c.patient_signed_at),
            "performer": [_ref("Patient", c.patient_id)],
            "organization": [_ref("Organization", c.patient.clinic_id)],
            "sourceAttachment": {"title": f"{c.document.title} (version {c.document.version})"},
            "provision": {
                "type": "permit",
                "code": [{"coding": [_coding(codes.LOCAL_PRODUCT, c.product)]}],
            },
        }
    )


CAREPLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "stopped": "revoked",
    "completed": "completed",
}


def care_plan(course: Course) -> Resource:
    status = "entered-in-error" if course.in_error else CAREPLAN_STATUS.get(course.state, "unknown")
    return validated(
        {
            "resourceType": "CarePlan",
            "id": str(course.pk),
            "status": status,
            "intent": "plan",
            "title": (
                f"{course.protocol_id} (version {course.protocol_version}), phase {course.phase}"
            ),
            "subject": _ref("Patient", course.patient_id),
            "period": {"start": course.start_on.isoformat()},
            "created": _instant(course.created_at),
            "activity": [
                {"reference": _ref("MedicationRequest", o.pk)} for o in course.orders.all()
            ],
        }
    )
