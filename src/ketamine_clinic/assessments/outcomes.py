"""A patient's trajectories and outcome status, per instrument, from their assessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamine_clinic.assessments.catalogue import instruments_for, remission_threshold
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.assessments.outcome_summary import first_doses, treatment_start
from ketamine_clinic.clinical.instruments import Instrument
from ketamine_clinic.clinical.outcomes import Outcome, Point, classify
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus


@dataclass(frozen=True)
class InstrumentSeries:
    instrument: Instrument
    assessments: list[Assessment]
    outcome: Outcome | None  # only for outcome measures
    remission_at_most: int | None


def first_dose_at(patient: Patient) -> datetime | None:
    """The first dose recorded at the chair, when there is one."""
    return first_doses([patient.pk]).get(patient.pk)


def patient_series(patient: Patient) -> list[InstrumentSeries]:
    """Each instrument the patient has active scores on, oldest score first."""
    active = list(
        Assessment.objects.filter(patient=patient, status=RecordStatus.ACTIVE).order_by(
            "administered_at"
        )
    )
    catalogue = instruments_for(patient.clinic_id)
    start = treatment_start(
        first_dose_at(patient),
        [(a.instrument_id, a.administered_at, a.total, a.context) for a in active],
    )
    result = []
    for instrument_id in sorted({a.instrument_id for a in active}):
        rows = [a for a in active if a.instrument_id == instrument_id]
        instrument = catalogue.get(instrument_id)
        if instrument is None:  # a loaded instrument since retired: keep showing its scores
            continue
        threshold = remission_threshold(patient.clinic, instrument)
        outcome = None
        if instrument.outcome_measure and threshold is not None:
            points = [Point(a.administered_at, a.total, a.context) for a in rows]
            outcome = classify(points, threshold, start)
        result.append(InstrumentSeries(instrument, rows, outcome, threshold))
    return result
