"""What is due to be sent: run every minute by each worker. Planning is idempotent (each
message has a unique key), so two workers planning at once make each message once, and a
message is queued for sending only by the worker that made it.

- Booked appointments: a confirmation now, and reminders at the clinic's hours before
  (48 and 2 by default), each made in the hour before it is due. A moved appointment gets its
  own for the new time; one made for the old time finds at sending time that it no longer
  applies.
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
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
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
# A booking gets its confirmation from a planning within this long of being booked or moved;
# a worker stopped for longer does not send late confirmations (the message log shows none).
CONFIRMATION_WINDOW = timedelta(days=1)
# A reminder is made (and queued) this long before it is due, not at booking: a planning reads
# only the bookings whose reminder falls in the next hour.
REMINDER_LEAD = timedelta(hours=1)
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
    course's series) and reminders. Reads only what may need a message now: bookings changed
    within CONFIRMATION_WINDOW, and bookings with a reminder due within REMINDER_LEAD."""
    booked = Appointment.objects.filter(
        status=RecordStatus.ACTIVE, state=Appointment.State.BOOKED, starts_at__gt=now
    ).select_related("clinic", "patient", "created_by")
    changed = list(booked.filter(pk__in=Appointment.history.filter(
        history_date__gte=now - CONFIRMATION_WINDOW).values("id")))  # fmt: skip
    confirmed = delivery.existing([_confirmation(a) for a in changed])
    unconfirmed: dict[Any, list[Appointment]] = {}
    for a in changed:
        if _confirmation(a) not in confirmed:
            unconfirmed.setdefault(a.patient_id, []).append(a)
    made = sum(_confirm(group, now, enqueue) for group in unconfirmed.values())
    return made + _plan_reminders(booked, now, enqueue)


def _plan_reminders(booked: QuerySet[Appointment], now: datetime, enqueue: Enqueue) -> int:
    settings = {c.pk: queries.settings_of(c) for c in Clinic.objects.all()}
    hours = {h for s in settings.values() for h in s.reminder_hours}
    if not hours:
        return 0
    window = Q()
    for h in hours:
        soonest = now + timedelta(hours=h)
        window |= Q(starts_at__gt=soonest, starts_at__lte=soonest + REMINDER_LEAD)
    wanted = [
        (f"appointment:{a.pk}:reminder:{h}h:{a.starts_at.isoformat()}", a, due)
        for a in booked.filter(window)
        for h, due in rules.reminder_times(a.starts_at, settings[a.clinic_id], now)
        if due <= now + REMINDER_LEAD
    ]
    made = 0
    have = delivery.existing([key for key, _, _ in wanted])
    for key, a, due in wanted:
        if key in have:
            continue
        subject, body = content.appointment(a.clinic, a.starts_at, a.kind, a.product, True)
        about = {"appointment": str(a.pk), "starts_at": a.starts_at.isoformat()}
        made += _make(key, a.patient, "reminders", enqueue, kind=Message.Kind.REMINDER,
                      subject=subject, body=body, about=about, due_at=due,
                      created_by=a.created_by)  # fmt: skip
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
    keys = {
        (s.pk, c): f"session:{s.pk}:questionnaire:{c}" for s in sessions for c in FOLLOW_UP_LINKS
    }
    have = delivery.existing(list(keys.values()))
    for session in sessions:
        if all(keys[session.pk, c] in have for c in FOLLOW_UP_LINKS):
            continue
        if not queries.settings_of(session.patient.clinic).questionnaires:
            continue
        last = facts.last_dose_at(session)
        discharged = Transition.objects.filter(session=session, to_state="discharged").first()
        if last is None or discharged is None:
            continue
        for context, (after, hours) in FOLLOW_UP_LINKS.items():
            due = last + after
            key = keys[session.pk, context]
            if key in have or due + timedelta(hours=hours) <= now:
                continue
            if _handed_over(session, context, due):
                continue
            subject, body = content.questionnaire(session.patient.clinic)
            made += _make(
                key, session.patient,
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
    # Planned when its time comes: the appointment within PRE_DOSE_LEAD.
    due_now = [a for a in soon if a.starts_at - PRE_DOSE_LEAD <= now]
    have = delivery.existing([_pre_dose(a) for a in due_now])
    for a in due_now:
        if _pre_dose(a) in have or not queries.settings_of(a.clinic).questionnaires:
            continue
        due = max(now, a.starts_at - PRE_DOSE_LEAD)
        hours = max(1, int((a.starts_at - due).total_seconds() // 3600) + 1)
        subject, body = content.questionnaire(a.clinic)
        made += _make(
            _pre_dose(a), a.patient,
            "questionnaires", enqueue, kind=Message.Kind.QUESTIONNAIRE, subject=subject,
            body=body, due_at=due, created_by=a.created_by,
            about={"appointment": str(a.pk), "starts_at": a.starts_at.isoformat(),
                   "context": "pre_dose", "hours": hours},
        )  # fmt: skip
    return made


def _pre_dose(a: Appointment) -> str:
    return f"appointment:{a.pk}:questionnaire:{a.starts_at.isoformat()}"


def plan_measurements(now: datetime, enqueue: Enqueue) -> int:
    """A PHQ-9 link for a patient in maintenance whose last one is older than the clinic's
    measurement interval (clinical.outcomes.measurement_due), at most one a week."""
    made = 0
    week = "{}-W{:02d}".format(*now.isocalendar()[:2])
    phq9 = Assessment.objects.filter(
        patient=OuterRef("patient"), instrument_id="phq9", status=RecordStatus.ACTIVE
    ).order_by("-administered_at")
    courses = list(
        Course.objects.filter(
            status=RecordStatus.ACTIVE, state="active", phase__startswith="maintenance"
        )
        .annotate(last_phq9=Subquery(phq9.values("administered_at")[:1]))
        .select_related("patient", "patient__clinic", "created_by")
    )
    keys = {c.pk: f"patient:{c.patient_id}:phq9:{week}" for c in courses}
    have = delivery.existing(list(keys.values()))
    for course in courses:
        patient = course.patient
        clinic = patient.clinic
        key = keys[course.pk]
        if key in have or not queries.settings_of(clinic).questionnaires:
            continue
        last = course.last_phq9
        if not measurement_due(last, now, timedelta(days=clinic.measurement_interval_days)):
            continue
        subject, body = content.questionnaire(clinic)
        made += _make(
            key, patient, "questionnaires", enqueue,
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
