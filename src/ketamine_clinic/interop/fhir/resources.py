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
from ketamine_clinic.interop.fhir import codes, profiles
from ketamine_clinic.patients.models import Allergy, BodyMeasurement, Diagnosis, Patient
from ketamine_clinic.treatment_sessions.models import (
    VitalSigns,
)

Resource = dict[str, Any]


class InvalidResource(ValueError):
    """A resource we built does not validate: a bug, never sent."""


def validated(resource: Resource) -> Resource:
    """The resource, its US Core profile named (profiles), checked against FHIR R4."""
    profiles.declare(resource)
    model = get_fhir_model_class(resource["resourceType"])
    try:
        model.model_validate(resource)
    except ValueError as exc:
        raise InvalidResource(f"{resource['resourceType']}/{resource.get('id')}: {exc}") from exc
    return resource


def instant(moment: datetime) -> str:
    return moment.isoformat()


def ref(kind: str, pk: Any) -> dict[str, str]:
    return {"reference": f"{kind}/{pk}"}


def coding(system: str, code: str, display: str = "") -> dict[str, str]:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def quantity(value: Any, unit: str) -> dict[str, Any]:
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
            "managingOrganization": ref("Organization", patient.clinic_id),
        }
    )


def condition(diagnosis: Diagnosis) -> Resource:
    verification = "entered-in-error" if diagnosis.in_error else "confirmed"
    return validated(
        {
            "resourceType": "Condition",
            "id": str(diagnosis.pk),
            "clinicalStatus": {"coding": [coding(codes.CONDITION_CLINICAL, "active")]},
            "verificationStatus": {"coding": [coding(codes.CONDITION_VERIFICATION, verification)]},
            # The chart's diagnoses are its problem list (US Core's problem-list-item slice).
            "category": [
                {
                    "coding": [
                        coding(codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item")
                    ]
                }
            ],
            "code": {
                "coding": [coding(codes.ICD10, diagnosis.icd10_code, diagnosis.text)],
                "text": diagnosis.text,
            },
            "subject": ref("Patient", diagnosis.patient_id),
            **({"onsetDateTime": diagnosis.onset_on.isoformat()} if diagnosis.onset_on else {}),
            "recordedDate": instant(diagnosis.created_at),
        }
    )


def allergy_intolerance(allergy: Allergy) -> Resource:
    """An allergy as the chart keeps it: the substance and reaction in words (the clinic does
    not code them), the reaction's severity, and when it was noted."""
    verification = "entered-in-error" if allergy.in_error else "confirmed"
    reaction = {
        **({"manifestation": [{"text": allergy.reaction}]} if allergy.reaction else {}),
        **({"severity": allergy.severity} if allergy.severity != "unknown" else {}),
    }
    return validated(
        {
            "resourceType": "AllergyIntolerance",
            "id": str(allergy.pk),
            "clinicalStatus": {"coding": [coding(codes.ALLERGY_CLINICAL, "active")]},
            "verificationStatus": {"coding": [coding(codes.ALLERGY_VERIFICATION, verification)]},
            "code": {"text": allergy.substance},
            "patient": ref("Patient", allergy.patient_id),
            "recordedDate": (
                allergy.noted_on.isoformat() if allergy.noted_on else instant(allergy.created_at)
            ),
            **({"reaction": [reaction]} if allergy.reaction else {}),
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
            "category": [{"coding": [coding(codes.OBSERVATION_CATEGORY, category)]}],
            "code": {
                "coding": [
                    *(coding(codes.LOINC, c, d) for c, d in codes.ALSO_CODED.get(loinc, ())),
                    coding(codes.LOINC, loinc, display),
                ],
                "text": display,
            },
            "subject": ref("Patient", patient_id),
            **({"encounter": ref("Encounter", encounter)} if encounter else {}),
            "effectiveDateTime": instant(at),
            "valueQuantity": quantity(value, unit),
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
                "category": [{"coding": [coding(codes.OBSERVATION_CATEGORY, "vital-signs")]}],
                "code": {
                    "coding": [coding(codes.LOINC, loinc, display)],
                    "text": "Blood pressure",
                },
                "subject": ref("Patient", patient_id),
                "encounter": ref("Encounter", v.session_id),
                "effectiveDateTime": instant(v.at),
                "component": [
                    {
                        "code": {"coding": [coding(codes.LOINC, c[0], c[1])]},
                        "valueQuantity": quantity(value, c[2]),
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
    codings = [coding(codes.LOCAL_INSTRUMENT, assessment.instrument_id, assessment.instrument_name)]
    if instrument is not None and instrument.loinc_total:
        codings.insert(
            0, coding(codes.LOINC, instrument.loinc_total, f"{instrument.short_name} total score")
        )
    return {"coding": codings, "text": f"{assessment.instrument_name} total score"}


def score_observation(assessment: Assessment, instrument: Instrument | None) -> Resource:
    """The total as an Observation (LOINC total code where one exists, ours otherwise)."""
    return validated(
        {
            "resourceType": "Observation",
            "id": f"{assessment.pk}-total",
            "status": "entered-in-error" if assessment.in_error else "final",
            "category": [{"coding": [coding(codes.OBSERVATION_CATEGORY, "survey")]}],
            "code": _instrument_code(instrument, assessment),
            "subject": ref("Patient", assessment.patient_id),
            "effectiveDateTime": instant(assessment.administered_at),
            "valueInteger": assessment.total,
            **(
                {"interpretation": [{"text": assessment.band_label}]}
                if assessment.band_label
                else {}
            ),
            "derivedFrom": [ref("QuestionnaireResponse", assessment.pk)],
        }
    )


def questionnaire(instrument: Instrument) -> Resource:
    """The instrument as a Questionnaire (its canonical URL names it and its version)."""
    items = []
    for item in instrument.items:
        entry: dict[str, Any] = {"linkId": item.id, "text": item.text, "type": "integer"}
        if item.loinc:
            entry["code"] = [coding(codes.LOINC, item.loinc)]
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
                {"code": [coding(codes.LOINC, instrument.loinc_panel, instrument.name)]}
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
        return coding(codes.LOINC, code, display)
    return coding(f"{codes.LOCAL_INSTRUMENT}:answer", str(value), label)


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
            "subject": ref("Patient", assessment.patient_id),
            "authored": instant(assessment.administered_at),
            **(
                {"encounter": ref("Encounter", assessment.treatment_session_id)}
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
