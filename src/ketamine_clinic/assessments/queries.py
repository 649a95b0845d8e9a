"""What the measurement screens and the API read: a patient's administrations (current, or
marked in error), the one an edit names, the days doses were given by the pre-dose scores,
and the instruments a clinic has loaded. The outcome series are in `outcomes`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from ketamine_clinic.assessments.models import Assessment, ClinicInstrument, SafetyAlert
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus


def administrations(patient: Patient, instrument: str | None = None) -> QuerySet[Assessment]:
    """Every administration of the patient (on one instrument, if named), in error or not,
    newest first."""
    rows = Assessment.objects.filter(patient=patient)
    return rows.filter(instrument_id=instrument) if instrument else rows


def alerts(clinic_ids: list[Any], status: str | None = None) -> QuerySet[SafetyAlert]:
    """The safety alerts of these clinics: all, or only the open or acknowledged ones."""
    found = SafetyAlert.objects.filter(clinic_id__in=clinic_ids)
    if status == "open":
        return found.filter(acknowledged_at__isnull=True)
    if status == "acknowledged":
        return found.filter(acknowledged_at__isnull=False)
    return found


def entered_in_error(patient: Patient) -> QuerySet[Assessment]:
    return Assessment.objects.filter(patient=patient, status=RecordStatus.ENTERED_IN_ERROR)


def administration(patient: Patient, assessment_id: Any) -> Assessment | None:
    """One of the patient's administrations by its id; None for another patient's."""
    return Assessment.objects.filter(pk=assessment_id, patient=patient).first()


def pre_dose_times(patient: Patient) -> list[datetime]:
    """The moments of the pre-dose scores on any instrument: the dose days on a chart."""
    return sorted(
        set(
            Assessment.objects.filter(
                patient=patient, status=RecordStatus.ACTIVE, context="pre_dose"
            ).values_list("administered_at", flat=True)
        )
    )


def loaded_instruments(clinic_id: Any) -> QuerySet[ClinicInstrument]:
    return ClinicInstrument.objects.filter(clinic_id=clinic_id)
