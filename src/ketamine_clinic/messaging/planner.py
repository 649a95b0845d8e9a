"""What is due to be sent: run every minute by each worker. Planning is idempotent (each
message has a unique key), so two workers planning at once make each message once, and a
message is queued for sending only by the worker that made it.

- Booked appointments: a confirmation now, and reminders at the clinic's hours before
  (48 and 2 by default). A moved appointment gets its own for the new time; the old ones find
  at sending time that they no longer apply.
- Dosing appointments: the PHQ-9 link the evening before (15 hours ahead).
- Patients in maintenance whose last PHQ-9 is older than the clinic's interval: a link.
- Discharged sessions: the PHQ-9 links at 4 and 24 hours after the last dose
  (clinical/outcomes.FOLLOW_UP_LINKS), unless the nurse handed that link over already.
- The staff's deadlines: REMS forms, DEA loss reports, waiting safety alerts, expiring
  evaluations (staff.py).
- Messages whose worker died mid-send are marked interrupted (delivery.sweep)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.assessments.models import Assessment, AssessmentLink
from ketamine_clinic.clinical.outcomes import FOLLOW_UP_LINKS, measurement_due
from ketamine_clinic.messaging import content, delivery, queries, rules, staff
from ketamine_clinic.messaging.models import Message
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course
from ketamine_clinic.treatment_sessions import facts
from ketamine_clinic.treatment_sessions.models import Transition, TreatmentSession

Enqueue = Callable[[Message, datetime], None]
FOLLOW_UP_WINDOW = timedelta(hours=26)  # sessions discharged this recently still get links
PRE_DOSE_LEAD = timedelta(hours=15)  # the evening before a morning dose


def _make(key: str, patient: Patient, purpose: str, enqueue: Enqueue, **fields: Any) -> bool:
    """Create the message once; queue it if it may go, or keep it as not sent, with why."""
    to, why = queries.recipient(patient, purpose)
    state = Message.State.QUEUED if to else Message.State.CANCELLED
    values = {
        "clinic_id": patient.clinic_id, "patient": patient, "state": state,
        "channel": to.channel if to else "", "to": to.to if to else "",
        "basis": to.basis if to else "", "last_error": why, **fields,
    }  # fmt: skip
    return delivery.create_once(key, values, enqueue)


def plan_appointments(now: datetime, enqueue: Enqueue) -> int:
    """Confirmations (one for all of a patient's appointments planned at once, such as a
    course's series) and reminders."""
    made = 0
    booked = Appointment.objects.filter(
        status=RecordStatus.ACTIVE, state=Appointment.State.BOOKED, starts_at__gt=now
    ).select_related("clinic", "patient", "created_by")
    unconfirmed: dict[Any, list[Appointment]] = {}
    for a in booked:
        settings = queries.settings_of(a.clinic)
        at = a.starts_at.isoformat()
        about = {"appointment": str(a.pk), "starts_at": at}
        if not Message.objects.filter(key=_confirmation(a)).exists():
            unconfirmed.setdefault(a.patient_id, []).append(a)
        for hours, due in rules.reminder_times(a.starts_at, settings, now):
            subject, body = content.appointment(a.clinic, a.starts_at, a.kind, a.product, True)
            made += _make(f"appointment:{a.pk}:reminder:{hours}h:{at}", a.patient, "reminders",
                          enqueue, kind=Message.Kind.REMINDER, subject=subject, body=body,
                          about=about, due_at=due, created_by=a.created_by)  # fmt: skip
    for group in unconfirmed.values():
        made += _confirm(group, now, enqueue)
    return made


def _confirmation(a: Appointment) -> str:
    return f"appointment:{a.pk}:confirmation:{a.starts_at.isoformat()}"


def _confirm(group: list[Appointment], now: datetime, enqueue: Enqueue) -> int:
    """One message for the group; the others' keys are kept as sent with it."""
    group.sort(key=lambda a: a.starts_at)
    first = group[0]
    about: dict[str, Any] = {"appointment": str(first.pk), "starts_at": first.starts_at.isoformat()}
    if len(group) == 1:
        subject, body = content.appointment(first.clinic, first.starts_at, first.kind,
                                            first.product, False)  # fmt: skip
    else:
        subject, body = content.series(
            first.clinic, [(a.starts_at, a.kind, a.product) for a in group]
        )
        about["appointments"] = [str(a.pk) for a in group]
    made = _make(_confirmation(first), first.patient, "reminders", enqueue,
                 kind=Message.Kind.CONFIRMATION, subject=subject, body=body, about=about,
                 due_at=now, created_by=first.created_by)  # fmt: skip
    if made:
        for other in group[1:]:
            with transaction.atomic():
                Message.objects.get_or_create(key=_confirmation(other), defaults={
                    "clinic_id": other.clinic_id, "patient": other.patient,
                    "kind": Message.Kind.CONFIRMATION, "state": Message.State.MERGED,
                    "body": "", "due_at": now, "basis": "", "created_by": other.created_by,
                    "about": {"appointment": str(other.pk), "with": _confirmation(first)},
                })  # fmt: skip
    return made


def plan_follow_ups(now: datetime, enqueue: Enqueue) -> int:
    made = 0
    sessions = TreatmentSession.objects.filter(
        status=RecordStatus.ACTIVE, discharged_at__gte=now - FOLLOW_UP_WINDOW
    ).select_related("patient", "patient__clinic")
    for session in sessions:
        if not queries.settings_of(session.patient.clinic).questionnaires:
            continue
        last = facts.last_dose_at(session)
        discharged = Transition.objects.filter(session=session, to_state="discharged").first()
        if last is None or discharged is None:
            continue
        for context, (after, hours) in FOLLOW_UP_LINKS.items():
            due = last + after
            if due + timedelta(hours=hours) <= now or _handed_over(session, context, due):
                continue
            subject, body = content.questionnaire(session.patient.clinic)
            made += _make(
                f"session:{session.pk}:questionnaire:{context}", session.patient,
                "questionnaires", enqueue, kind=Message.Kind.QUESTIONNAIRE, subject=subject,
                body=body, about={"session": str(session.pk), "context": context},
                due_at=max(due, now), created_by=discharged.by,
            )  # fmt: skip
    return made


def plan_pre_dose(now: datetime, enqueue: Enqueue) -> int:
    """The PHQ-9 the evening before a dose (STORIES.md: Ms. Chen fills it in the night
    before), its link valid until the dose."""
    made = 0
    soon = Appointment.objects.filter(
        status=RecordStatus.ACTIVE, state=Appointment.State.BOOKED, kind="dosing",
        starts_at__gt=now, starts_at__lte=now + PRE_DOSE_LEAD + timedelta(hours=1),
    ).select_related("clinic", "patient", "created_by")  # fmt: skip
    for a in soon:
        if not queries.settings_of(a.clinic).questionnaires:
            continue
        due = max(now, a.starts_at - PRE_DOSE_LEAD)
        if due > now:
            continue  # planned when its time comes
        hours = max(1, int((a.starts_at - due).total_seconds() // 3600) + 1)
        subject, body = content.questionnaire(a.clinic)
        made += _make(
            f"appointment:{a.pk}:questionnaire:{a.starts_at.isoformat()}", a.patient,
            "questionnaires", enqueue, kind=Message.Kind.QUESTIONNAIRE, subject=subject,
            body=body, due_at=due, created_by=a.created_by,
            about={"appointment": str(a.pk), "starts_at": a.starts_at.isoformat(),
                   "context": "pre_dose", "hours": hours},
        )  # fmt: skip
    return made


def plan_measurements(now: datetime, enqueue: Enqueue) -> int:
    """A PHQ-9 link for a patient in maintenance whose last one is older than the clinic's
    measurement interval (clinical.outcomes.measurement_due), at most one a week."""
    made = 0
    courses = Course.objects.filter(
        status=RecordStatus.ACTIVE, state="active", phase__startswith="maintenance"
    ).select_related("patient", "patient__clinic", "created_by")
    week = "{}-W{:02d}".format(*now.isocalendar()[:2])
    for course in courses:
        patient = course.patient
        clinic = patient.clinic
        if not queries.settings_of(clinic).questionnaires:
            continue
        last = (
            Assessment.objects.filter(patient=patient, instrument_id="phq9",
                                      status=RecordStatus.ACTIVE)
            .order_by("-administered_at").values_list("administered_at", flat=True).first()
        )  # fmt: skip
        if not measurement_due(last, now, timedelta(days=clinic.measurement_interval_days)):
            continue
        subject, body = content.questionnaire(clinic)
        made += _make(
            f"patient:{patient.pk}:phq9:{week}", patient, "questionnaires", enqueue,
            kind=Message.Kind.QUESTIONNAIRE, subject=subject, body=body, due_at=now,
            created_by=course.created_by, about={"context": "weekly", "hours": 72},
        )  # fmt: skip
    return made


def _handed_over(session: TreatmentSession, context: str, due: datetime) -> bool:
    """The nurse already gave the patient this link at discharge (a QR code)."""
    return AssessmentLink.objects.filter(
        patient_id=session.patient_id, context=context,
        opens_at__gte=due - timedelta(hours=1), opens_at__lte=due + timedelta(hours=1),
    ).exists()  # fmt: skip


def plan(enqueue: Enqueue, now: datetime | None = None) -> int:
    """Everything due to be planned now; returns how many messages were made."""
    now = now or timezone.now()
    made = plan_appointments(now, enqueue) + plan_follow_ups(now, enqueue)
    made += plan_pre_dose(now, enqueue) + plan_measurements(now, enqueue)
    made += staff.plan_staff(now, enqueue)
    delivery.sweep(now)
    return made
