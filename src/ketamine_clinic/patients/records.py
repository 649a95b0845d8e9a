"""The kinds of record a chart holds, described once so the API, screens and actions share them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from ninja import Schema

from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.patients import schemas
from ketamine_clinic.patients.models import (
    Allergy,
    BodyMeasurement,
    Diagnosis,
    Medication,
    PatientRecord,
    TreatmentTrial,
)


@dataclass(frozen=True)
class RecordKind:
    segment: str  # the URL path segment, e.g. "treatment-history"
    model: type[PatientRecord]
    create: type[Schema]
    update: type[Schema] | None  # None: corrected by entered-in-error and a new record
    out: type[Schema]
    write: Capability
    title: str
    # Pairs of date fields where the second may not come before the first.
    date_order: tuple[tuple[str, str], ...] = ()

    @property
    def audit_name(self) -> str:
        return self.model._meta.model_name or self.segment

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """The columns a chart's table shows: what is entered, less the free-text notes."""
        return tuple(name for name in self.create.model_fields if name != "notes")

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """Each column's heading, from the model field's own name for it."""
        meta = self.model._meta
        labels = (str(getattr(meta.get_field(name), "verbose_name", name)) for name in self.fields)
        return tuple(label[:1].upper() + label[1:] for label in labels)

    def values(self, record: PatientRecord) -> list[str]:
        """A record's cells, as text, in the order of `columns`."""
        return [_shown(record, name) for name in self.fields]


def _shown(record: PatientRecord, name: str) -> str:
    display = getattr(record, f"get_{name}_display", None)
    value: Any = display() if callable(display) else getattr(record, name)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value)
    return str(value)


RECORD_KINDS: dict[str, RecordKind] = {
    kind.segment: kind
    for kind in (
        RecordKind(
            "measurements",
            BodyMeasurement,
            schemas.MeasurementCreate,
            None,
            schemas.MeasurementOut,
            Capability.EDIT_CLINICAL,
            "Weight and height",
        ),
        RecordKind(
            "allergies",
            Allergy,
            schemas.AllergyCreate,
            schemas.AllergyUpdate,
            schemas.AllergyOut,
            Capability.EDIT_CLINICAL,
            "Allergies",
        ),
        RecordKind(
            "medications",
            Medication,
            schemas.MedicationCreate,
            schemas.MedicationUpdate,
            schemas.MedicationOut,
            Capability.EDIT_CLINICAL,
            "Current medications",
            (("started_on", "stopped_on"),),
        ),
        RecordKind(
            "diagnoses",
            Diagnosis,
            schemas.DiagnosisCreate,
            schemas.DiagnosisUpdate,
            schemas.DiagnosisOut,
            Capability.EDIT_DIAGNOSES,
            "Diagnoses",
        ),
        RecordKind(
            "treatment-history",
            TreatmentTrial,
            schemas.TreatmentTrialCreate,
            schemas.TreatmentTrialUpdate,
            schemas.TreatmentTrialOut,
            Capability.EDIT_CLINICAL,
            "Treatment history",
            (("started_on", "ended_on"),),
        ),
    )
}
