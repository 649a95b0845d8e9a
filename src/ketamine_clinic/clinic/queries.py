"""What the clinic's dashboard and the patient's portal read across the apps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.assessments.catalogue import self_report_instruments
from ketamine_clinic.assessments.models import Assessment, SafetyAlert
from ketamine_clinic.clinical.outcomes import measurement_due
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course, ScheduledSession


def open_alerts(clinic: Clinic) -> list[SafetyAlert]:
    """Safety alerts nobody has acknowledged yet, oldest first."""
    return list(
        SafetyAlert.objects.filter(clinic=clinic, acknowledged_at__isnull=True)
        .select_related("patient", "assessment")
        .order_by("raised_at")[:200]
    )


def measurement_due_patients(clinic: Clinic, now: datetime | None = None) -> list[Patient]:
    """Patients with no self-reported score within the clinic's measurement interval, those
    never measured first."""
    now = now or timezone.now()
    self_report_ids = [i.id for i in self_report_instruments(clinic.pk)]
    last = (
        Assessment.objects.filter(
            patient=OuterRef("pk"), status=RecordStatus.ACTIVE, instrument_id__in=self_report_ids
        )
        .values("patient")
        .annotate(last=Max("administered_at"))
        .values("last")
    )
    interval = timedelta(days=clinic.measurement_interval_days)
    patients = (
        Patient.objects.filter(clinic=clinic, status=RecordStatus.ACTIVE)
        .annotate(last_self_report=Subquery(last))
        .filter(Q(last_self_report__isnull=True) | Q(last_self_report__lte=now - interval))
        .order_by(F("last_self_report").asc(nulls_first=True), "family_name")[:100]
    )
    return [p for p in patients if measurement_due(p.last_self_report, now, interval)]


def recent_scores(patient: Patient) -> QuerySet[Assessment]:
    return Assessment.objects.filter(patient=patient, status=RecordStatus.ACTIVE)[:10]


def upcoming_sessions(patient: Patient) -> Any:
    """The patient's own coming sessions, from courses a prescriber has signed; no doses."""
    return ScheduledSession.objects.filter(
        patient=patient,
        status=RecordStatus.ACTIVE,
        state=ScheduledSession.State.PLANNED,
        course__state=Course.State.ACTIVE,
        on__gte=timezone.localdate(),
    )[:8]
