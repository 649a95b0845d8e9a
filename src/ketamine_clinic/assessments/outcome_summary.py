"""Each patient's outcome on each instrument, kept ready for the clinic's outcome report.

Classifying 100,000 patients from 2,000,000 scores takes most of a minute; the report must
answer in under half a second. So each write that can change a classification refreshes that
patient's rows in its own transaction: a score stored (actions.store), a score marked entered
in error, the first dose at the chair. The rows leave out the clinic's remission cut-off,
which an admin may change on any day: the report applies it (interop/outcome_report.py).
`ketamine-clinic refresh-outcomes` rebuilds every row from the records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from ketamine_clinic.assessments.models import Assessment, OutcomeSummary
from ketamine_clinic.clinical.outcomes import Point, classify
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment_sessions.models import TreatmentSession

# Where no treatment session is recorded (treatment before this system, or given elsewhere),
# the first score taken around a dose stands for the first treatment (a pre-dose score is
# taken just before it).
DOSE_CONTEXTS = ("pre_dose", "post_dose", "4h", "24h")
BATCH = 2_000  # patients per rebuild step: about 40,000 scores in memory at a time

Row = tuple[str, datetime, int, str]  # instrument, administered at, total, context


def treatment_start(first_dose: datetime | None, rows: Iterable[Row]) -> datetime | None:
    """The first dose at the chair, else the first score taken around a dose, on any
    instrument."""
    if first_dose is not None:
        return first_dose
    around = [at for _, at, _, context in rows if context in DOSE_CONTEXTS]
    return min(around) if around else None


@dataclass(frozen=True)
class Models:
    """The tables a rebuild reads and writes: today's, or a migration's historical ones."""

    patient: Any = Patient
    assessment: Any = Assessment
    session: Any = TreatmentSession
    summary: Any = OutcomeSummary


CURRENT = Models()


def summaries(
    patient_id: Any, rows: list[Row], first_dose: datetime | None, models: Models = CURRENT
) -> list[Any]:
    """One unsaved row per instrument the patient has scores on."""
    start = treatment_start(first_dose, rows)
    points: dict[str, list[Point]] = defaultdict(list)
    for instrument_id, at, total, context in rows:
        points[instrument_id].append(Point(at, total, context))
    now = timezone.now()
    result = []
    for instrument_id, series in sorted(points.items()):
        o = classify(series, None, start)
        first = o.first_response_at
        result.append(
            models.summary(
                patient_id=patient_id,
                instrument_id=instrument_id,
                baseline_at=o.baseline.at if o.baseline else None,
                baseline_total=o.baseline.total if o.baseline else None,
                latest_at=o.latest.at if o.latest else None,
                latest_total=o.latest.total if o.latest else None,
                measured=bool(o.baseline and o.latest and o.latest.at > o.baseline.at),
                response=o.response,
                first_response_at=first,
                days_to_first_response=o.days_to_first_response,
                days_to_relapse=(o.relapse_at - first).days if first and o.relapse_at else None,
                days_responding=(
                    (o.latest.at - first).days if first and o.latest and o.response else None
                ),
                computed_at=now,
            )
        )
    return result


def _rows(patient_ids: Iterable[Any], models: Models = CURRENT) -> dict[Any, list[Row]]:
    found: dict[Any, list[Row]] = defaultdict(list)
    scores = (
        models.assessment.objects.filter(patient_id__in=patient_ids, status=RecordStatus.ACTIVE)
        .order_by("administered_at")
        .values_list("patient_id", "instrument_id", "administered_at", "total", "context")
    )
    for patient_id, *row in scores:
        found[patient_id].append(tuple(row))
    return found


def first_doses(patient_ids: Iterable[Any], models: Models = CURRENT) -> dict[Any, datetime]:
    """Each patient's first dose at the chair."""
    return dict(
        models.session.objects.filter(
            patient_id__in=patient_ids,
            status=RecordStatus.ACTIVE,
            dosing_started_at__isnull=False,
        )
        .values("patient_id")
        .annotate(first=Min("dosing_started_at"))
        .values_list("patient_id", "first")
    )


def refresh(patient: Patient) -> None:
    """Recompute one patient's rows inside the caller's transaction. The patient's row is
    locked first, so two writes about one patient refresh one after the other and the later
    one reads the earlier's score."""
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk").first()
        _replace([patient.pk], CURRENT)


def _replace(patient_ids: list[Any], models: Models) -> None:
    rows = _rows(patient_ids, models)
    doses = first_doses(patient_ids, models)
    models.summary.objects.filter(patient_id__in=patient_ids).delete()
    models.summary.objects.bulk_create(
        [
            s
            for pid in patient_ids
            for s in summaries(pid, rows.get(pid, []), doses.get(pid), models)
        ],
        batch_size=5_000,
    )


def rebuild(clinic_id: Any = None, models: Models = CURRENT) -> int:
    """Recompute every patient's rows (of one clinic, or all), a batch per transaction.
    Returns the number of patients."""
    patients = models.patient.objects.order_by("pk").values_list("pk", flat=True)
    if clinic_id is not None:
        patients = patients.filter(clinic_id=clinic_id)
    ids = list(patients)
    for first in range(0, len(ids), BATCH):
        with transaction.atomic():
            _replace(ids[first : first + BATCH], models)
    return len(ids)
