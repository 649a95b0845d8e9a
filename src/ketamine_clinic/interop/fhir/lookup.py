"""Whose record a FHIR id names. Every id this server gives out begins with the UUID of the
record it was made from ("…-bp" is a chair entry's blood pressure, "…-total" an
assessment's score), so the record, and through it the patient, is found by that UUID."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.common.ids import parse_uuid
from ketamine_clinic.evaluations.consent.models import Consent
from ketamine_clinic.patients.models import Allergy, BodyMeasurement, Diagnosis
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    TreatmentSession,
    VitalSigns,
)

# The records each resource type is made from, and the path from one to its patient.
SOURCES: dict[str, tuple[tuple[type[Model], str], ...]] = {
    "Condition": ((Diagnosis, "patient_id"),),
    "AllergyIntolerance": ((Allergy, "patient_id"),),
    "Observation": (
        (BodyMeasurement, "patient_id"),
        (Assessment, "patient_id"),
        (VitalSigns, "session__patient_id"),
    ),
    "QuestionnaireResponse": ((Assessment, "patient_id"),),
    "CarePlan": ((Course, "patient_id"),),
    "MedicationRequest": ((DoseOrder, "patient_id"),),
    "Consent": ((Consent, "patient_id"),),
    "Encounter": ((TreatmentSession, "patient_id"),),
    "MedicationAdministration": ((Administration, "session__patient_id"),),
    "AdverseEvent": ((AdverseEvent, "session__patient_id"),),
}


def patient_of(kind: str, resource_id: str) -> Any | None:
    """The patient id of the record a `kind` id was made from; None if there is none."""
    key = parse_uuid(resource_id[:36])
    if key is None:
        return None
    for model, path in SOURCES.get(kind, ()):
        found = model._default_manager.filter(pk=key).values_list(path, flat=True).first()
        if found is not None:
            return found
    return None
