"""What the patient screens and the API read: a patient found the way the front desk asks
(by name, MRN or birth date), possible duplicates, the latest weight and height, and the
chart's records."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from django.db.models import OuterRef, Q, QuerySet, Subquery

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.patients.models import BodyMeasurement, Patient, PatientRecord
from ketamine_clinic.patients.records import RECORD_KINDS, RecordKind
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.server.compiled_sql import CompiledRead, rows_by

R = TypeVar("R", bound=PatientRecord)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Control characters cannot be in a name or MRN, and PostgreSQL refuses NUL in a query.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def in_clinics(clinic_ids: Iterable[Any]) -> QuerySet[Patient]:
    """Every patient of these clinics, the start of a list or a search."""
    return Patient.objects.filter(clinic_id__in=list(clinic_ids))


def with_measurements(patient_id: Any) -> Patient:
    """One patient, annotated as the list annotates them (an API answer after a write)."""
    return with_latest_measurements(Patient.objects.filter(pk=patient_id)).get()


def own_records(user: Any) -> QuerySet[Patient]:
    """A signed-in patient's own records, in every clinic that treats them."""
    return Patient.objects.filter(user=user)


def of_user(user: Any, clinic: Clinic) -> Patient | None:
    """The patient record of a signed-in patient at this clinic."""
    return Patient.objects.filter(user=user, clinic=clinic).first()


def records_of(model: type[R], patient: Patient) -> QuerySet[R]:
    """Every row of one kind of record of the patient, every version, for the API's list."""
    return model._default_manager.filter(patient=patient)


def search_patients(
    patients: QuerySet[Patient], query: str, include_entered_in_error: bool = False
) -> QuerySet[Patient]:
    """Every word must match a name part or the MRN; a date matches the birth date."""
    if not include_entered_in_error:
        patients = patients.filter(status=RecordStatus.ACTIVE)
    for term in _CONTROL.sub(" ", query).split()[:5]:
        if _ISO_DATE.match(term):
            try:
                patients = patients.filter(birth_date=date.fromisoformat(term))
            except ValueError:
                return patients.none()
            continue
        patients = patients.filter(
            Q(family_name__icontains=term) | Q(given_name__icontains=term) | Q(mrn__iexact=term)
        )
    return patients.order_by("family_name", "given_name", "mrn")


def with_latest_measurements(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate the latest active weight (with its date) and height, in the same query."""

    def latest(kind: str, field: str) -> Subquery:
        return Subquery(
            BodyMeasurement.objects.filter(
                patient=OuterRef("pk"), kind=kind, status=RecordStatus.ACTIVE
            )
            .order_by("-measured_at")
            .values(field)[:1]
        )

    return patients.annotate(
        weight_kg=latest("weight_kg", "value"),
        weight_measured_at=latest("weight_kg", "measured_at"),
        height_cm=latest("height_cm", "value"),
    )


def note_latest_measurements(patient: Patient, measurements: list[BodyMeasurement]) -> None:
    """The same three values as `with_latest_measurements`, from the patient's measurements
    already read (the chart lists them all)."""
    latest: dict[str, BodyMeasurement] = {}
    for m in measurements:
        if m.status == RecordStatus.ACTIVE and (
            m.kind not in latest or m.measured_at > latest[m.kind].measured_at
        ):
            latest[m.kind] = m
    weight, height = latest.get("weight_kg"), latest.get("height_cm")
    patient.weight_kg = weight.value if weight else None  # type: ignore[attr-defined]
    patient.weight_measured_at = weight.measured_at if weight else None  # type: ignore[attr-defined]
    patient.height_cm = height.value if height else None  # type: ignore[attr-defined]


def find_duplicates(
    clinic: Clinic, given_name: str, family_name: str, birth_date: date
) -> QuerySet[Patient]:
    return Patient.objects.filter(
        clinic=clinic,
        given_name__iexact=given_name,
        family_name__iexact=family_name,
        birth_date=birth_date,
        status=RecordStatus.ACTIVE,
    )


# The chart reads every kind of record of one patient on every visit (compiled_sql: why).
CHART_READS: dict[type[PatientRecord], CompiledRead[Any]] = {
    kind.model: rows_by(kind.model, "patient_id") for kind in RECORD_KINDS.values()
}


def chart_records(patient: Patient, kind: RecordKind) -> list[PatientRecord]:
    """One kind of record of the patient, every version's latest, in the kind's order."""
    return CHART_READS[kind.model](patient)


def measurements(patient: Patient) -> list[BodyMeasurement]:
    """The patient's weights and heights: the chart's header and its measurement section."""
    return CHART_READS[BodyMeasurement](patient)
