"""The top of a chart: what a clinician needs first, before the sections below it. Open
safety alerts, the latest PHQ-9 with its band, the course in force and its next session,
and the next appointment; each links to its section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ketamine_clinic.appointments.queries import upcoming
from ketamine_clinic.assessments.queries import administrations, alerts
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course, ScheduledSession
from ketamine_clinic.treatment.queries.courses import courses_of, schedule_of
from ketamine_clinic.treatment.queries.protocols import names


@dataclass(frozen=True)
class Glance:
    open_alerts: int
    latest_phq9: Any  # Assessment | None
    course: Course | None
    protocol: str
    next_session: ScheduledSession | None
    next_appointment: Any  # Appointment | None


def glance(patient: Patient) -> Glance:
    latest = administrations(patient, "phq9").filter(status=RecordStatus.ACTIVE).first()
    course = courses_of(patient).filter(state=Course.State.ACTIVE).first()
    following = None
    if course is not None:
        following = (
            schedule_of(course)
            .filter(state=ScheduledSession.State.PLANNED, on__gte=timezone.localdate())
            .order_by("on")
            .first()
        )
    booked = upcoming(patient, limit=1)
    return Glance(
        open_alerts=alerts([patient.clinic_id], "open").filter(patient=patient).count(),
        latest_phq9=latest,
        course=course,
        protocol=names(patient.clinic_id).get(course.protocol_id, "") if course else "",
        next_session=following,
        next_appointment=booked[0] if booked else None,
    )
