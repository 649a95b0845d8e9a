"""What the front desk's screens, the booking actions and the API read: places and hours,
who works when, what is booked around a time, free slots, and a course's series as it would
be booked (a preview the front desk confirms)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.roles import STAFF_ROLES as STAFF_ROLES_ALL
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments.models import (
    HOLDING,
    Appointment,
    Place,
    WaitlistEntry,
    WorkingHours,
)
from ketamine_clinic.clinical import appointments as rules
from ketamine_clinic.clinical.appointments import Booked, Span, Staff
from ketamine_clinic.clinical.protocols import Phase
from ketamine_clinic.common.days import days_span
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course, ScheduledSession
from ketamine_clinic.treatment.queries import dosing

STAFF_ROLES = {Role.NURSE: "nurse", Role.PRESCRIBER: "prescriber"}


def settings_of(clinic: Clinic) -> rules.Settings:
    return rules.settings_from(clinic.appointment_settings)


def places(clinic_id: Any, *, kind: str | None = None, active: bool = True) -> QuerySet[Place]:
    found = Place.objects.filter(clinic_id=clinic_id)
    if kind:
        found = found.filter(kind=kind)
    return found.filter(active=True) if active else found


def place(clinic_id: Any, place_id: Any) -> Place | None:
    return Place.objects.filter(clinic_id=clinic_id, pk=place_id).first()


def clinic_appointment(appointment_id: Any) -> Appointment | None:
    """An appointment of any clinic with its patient: the caller checks who may see it."""
    return Appointment.objects.select_related("patient", "place").filter(pk=appointment_id).first()


def staff_member(clinic: Clinic, user_id: Any) -> User | None:
    """A member of the location's staff (not a patient), by id."""
    return (
        User.objects.filter(
            pk=user_id,
            memberships__clinic=clinic,
            memberships__is_active=True,
            memberships__role__in=[r.value for r in STAFF_ROLES_ALL],
        )
        .distinct()
        .first()
    )


def clinical_staff(clinic: Any) -> list[tuple[User, str]]:
    """The location's nurses and prescribers with their role, by name."""
    members = Membership.objects.filter(
        clinic=clinic, is_active=True, role__in=[r.value for r in STAFF_ROLES]
    ).select_related("user")
    found = [(m.user, STAFF_ROLES[Role(m.role)]) for m in members]
    return sorted(found, key=lambda pair: (pair[0].last_name, pair[0].username))


def between(clinic_id: Any, start: datetime, end: datetime) -> QuerySet[Appointment]:
    """The clinic's appointments starting in [start, end), cancelled ones included, with
    their patient, place and staff: the calendar's events."""
    return (
        Appointment.objects.filter(
            clinic_id=clinic_id, status=RecordStatus.ACTIVE, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("patient", "place")
        .prefetch_related("staff")
    )


def working_hours(clinic_id: Any) -> list[WorkingHours]:
    return list(WorkingHours.objects.filter(clinic_id=clinic_id).select_related("user"))


def local_day(at: datetime) -> date:
    return timezone.localtime(at).date()


def day_bounds(day: date) -> Span:
    return Span(*days_span(day, day))


def _closed(clinic: Clinic, day: date) -> bool:
    return day in dosing.closed_dates(clinic)


def place_hours(clinic: Clinic, found: Place, day: date) -> list[Span]:
    """When the place is open that day (nothing on the clinic's closed dates)."""
    if _closed(clinic, day) or not found.active:
        return []
    tz = timezone.get_current_timezone()
    return rules.open_spans(rules.parse_hours(found.hours), day, tz)


def staff_on(clinic: Clinic, day: date) -> list[Staff]:
    """The clinical staff working at the location that day, with their hours."""
    if _closed(clinic, day):
        return []
    roles = {
        m.user_id: STAFF_ROLES.get(Role(m.role))
        for m in Membership.objects.filter(clinic=clinic, is_active=True)
    }
    tz = timezone.get_current_timezone()
    found = []
    for row in working_hours(clinic.pk):
        role = roles.get(row.user_id)
        if role is None:
            continue
        spans = rules.open_spans(rules.parse_hours(row.hours), day, tz)
        if spans:
            name = row.user.get_full_name() or row.user.username
            found.append(Staff(row.user_id, role, spans, name))
    return found


def holding(clinic_id: Any, around: Span, exclude: Any = None) -> QuerySet[Appointment]:
    """The clinic's appointments that still take their time and overlap `around`."""
    found = Appointment.objects.filter(
        clinic_id=clinic_id,
        status=RecordStatus.ACTIVE,
        state__in=HOLDING,
        starts_at__lt=around.end,
        ends_at__gt=around.start,
    )
    return found.exclude(pk=exclude) if exclude is not None else found


def booked_around(clinic_id: Any, around: Span, exclude: Any = None) -> list[Booked]:
    """What the rules compare a booking with: every holding appointment overlapping it."""
    rows = holding(clinic_id, around, exclude).prefetch_related("staff")
    return [
        Booked(
            Span(a.starts_at, a.ends_at),
            a.place_id,
            a.patient_id,
            frozenset(u.pk for u in a.staff.all()),
            a.kind,
        )
        for a in rows
    ]


def day_list(clinic_id: Any, day: date) -> QuerySet[Appointment]:
    """The day's appointments of the clinic, cancelled ones included, by time: the front
    desk's day view."""
    bounds = day_bounds(day)
    return (
        Appointment.objects.filter(
            clinic_id=clinic_id,
            status=RecordStatus.ACTIVE,
            starts_at__gte=bounds.start,
            starts_at__lt=bounds.end,
        )
        .select_related("patient", "place")
        .prefetch_related("staff")
    )


def of_patient(patient: Patient) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(patient=patient, status=RecordStatus.ACTIVE)
        .select_related("place")
        .prefetch_related("staff")
    )


def upcoming(patient: Patient, limit: int = 20) -> list[Appointment]:
    """The patient's appointments from today on that still hold their time."""
    today = day_bounds(timezone.localdate()).start
    return list(
        Appointment.objects.filter(
            patient=patient, status=RecordStatus.ACTIVE, state__in=HOLDING, starts_at__gte=today
        )
        .select_related("place")
        .order_by("starts_at")[:limit]
    )


def bookable_courses(patient: Patient) -> QuerySet[Course]:
    """The patient's courses that may still be booked (not stopped, not entered in error)."""
    return Course.objects.filter(patient=patient, status=RecordStatus.ACTIVE).exclude(
        state="stopped"
    )


def waitlist(clinic_id: Any) -> QuerySet[WaitlistEntry]:
    """The location's waiting list, oldest first."""
    return WaitlistEntry.objects.filter(
        clinic_id=clinic_id, status=RecordStatus.ACTIVE, state=WaitlistEntry.State.WAITING
    ).select_related("patient", "course")


def waiting_entry(clinic_id: Any, entry_id: Any) -> WaitlistEntry | None:
    return waitlist(clinic_id).filter(pk=entry_id).first()


def waiting_for(freed: Appointment) -> list[WaitlistEntry]:
    """Who on the waiting list could take the time a cancelled appointment freed: the same
    kind of place (a chair for a dose), the day within their range, someone else."""
    if freed.starts_at <= timezone.now() or freed.place is None:
        return []
    day = local_day(freed.starts_at)
    doses = freed.place.kind == Place.Kind.CHAIR
    kinds = [Appointment.Kind.DOSING] if doses else [
        k for k in Appointment.Kind.values if k != Appointment.Kind.DOSING
    ]  # fmt: skip
    return list(
        waitlist(freed.clinic_id)
        .filter(earliest__lte=day, latest__gte=day, kind__in=kinds)
        .exclude(patient_id=freed.patient_id)
    )


def minutes_for(clinic: Clinic, kind: str, course: Course | None, product: str = "") -> int:
    """The appointment's length from the clinic's settings and, for a dose, the protocol."""
    infusion = None
    if course is not None:
        protocol = dosing.course_protocol(course)
        product = course.product
        infusion = float(protocol.default_duration_min) if protocol.default_duration_min else None
    return rules.minutes_for(kind, settings_of(clinic), product, infusion)


@dataclass(frozen=True)
class Slot:
    """A bookable time: where, and who would give it."""

    starts_at: datetime
    ends_at: datetime
    place: Place
    staff: tuple[Any, ...]  # user ids


def first_slot(
    clinic: Clinic,
    day: date,
    *,
    kind: str,
    product: str,
    minutes: int,
    patient_id: Any,
    earliest: datetime | None = None,
    staff_ids: tuple[Any, ...] = (),
) -> Slot | None:
    """The first time that day, from `earliest`, a place and the needed staff are free and
    every capacity rule holds; None if there is none."""
    for slot in free_slots(
        clinic, day, kind=kind, product=product, minutes=minutes, patient_id=patient_id,
        staff_ids=staff_ids, limit=1, earliest=earliest,
    ):  # fmt: skip
        return slot
    return None


def free_slots(
    clinic: Clinic,
    day: date,
    *,
    kind: str,
    product: str,
    minutes: int,
    patient_id: Any = None,
    staff_ids: tuple[Any, ...] = (),
    limit: int = 200,
    earliest: datetime | None = None,
) -> list[Slot]:
    """Every bookable start of the day, in time order: a free place of the right kind and
    staff that keep the rules (the named staff, else the first who fit)."""
    settings = settings_of(clinic)
    on_site = staff_on(clinic, day)
    need = rules.NEEDS.get(kind, "clinician")
    candidates = [s for s in on_site if not staff_ids or s.id in staff_ids]
    leads = [s for s in candidates if rules.fits(s.role, need)]
    booked = booked_around(clinic.pk, day_bounds(day))
    now = max(timezone.now(), earliest) if earliest else timezone.now()
    wanted_kind = Place.Kind.CHAIR if kind == "dosing" else Place.Kind.ROOM
    length = timedelta(minutes=minutes)
    found: list[Slot] = []
    for where in places(clinic.pk, kind=wanted_kind):
        hours = place_hours(clinic, where, day)
        busy = [b.span for b in booked if b.place == where.pk]
        for start in rules.free_starts(hours, busy, minutes):
            if start < now:
                continue
            for lead in leads:
                request = rules.Request(
                    Span(start, start + length), kind, product, where.pk, hours,
                    patient_id, (lead,), timezone.now(),
                )  # fmt: skip
                if not rules.problems(request, booked, on_site, settings):
                    found.append(Slot(start, start + length, where, (lead.id,)))
                    break
    found.sort(key=lambda s: (s.starts_at, s.place.name))
    return found[:limit]


@dataclass(frozen=True)
class Proposal:
    scheduled: ScheduledSession
    slot: Slot


def holding_for(scheduled: ScheduledSession) -> bool:
    """Whether an appointment already books this planned session."""
    return booking_of(scheduled) is not None


def booking_of(scheduled: ScheduledSession) -> Appointment | None:
    """The appointment that books this planned session, if any."""
    return Appointment.objects.filter(
        scheduled=scheduled, status=RecordStatus.ACTIVE, state__in=HOLDING
    ).first()


def bookings_of(scheduled_ids: list[Any]) -> dict[Any, Appointment]:
    """The appointments booking these planned sessions, by planned session (the day list)."""
    return {
        a.scheduled_id: a
        for a in Appointment.objects.filter(
            scheduled_id__in=scheduled_ids, status=RecordStatus.ACTIVE, state__in=HOLDING
        ).select_related("place")
    }


def course_doses(course: Course) -> QuerySet[Appointment]:
    """The course's dosing appointments that hold their time, in order."""
    return Appointment.objects.filter(
        course=course, kind="dosing", status=RecordStatus.ACTIVE, state__in=HOLDING
    ).order_by("starts_at")


def unbooked(course: Course) -> list[ScheduledSession]:
    """The course's planned dosing sessions that no appointment holds yet, in order."""
    return list(
        ScheduledSession.objects.filter(
            course=course,
            kind=ScheduledSession.Kind.DOSING,
            state=ScheduledSession.State.PLANNED,
            status=RecordStatus.ACTIVE,
        )
        .exclude(appointments__state__in=HOLDING, appointments__status=RecordStatus.ACTIVE)
        .order_by("on")
    )


def last_dose_start(course: Course) -> datetime | None:
    """The latest booked or done dose of the course: the series keeps its spacing from it."""
    last = course_doses(course).last()
    return last.starts_at if last else None


def propose_series(
    clinic: Clinic, course: Course, start: date, staff_ids: tuple[Any, ...] = ()
) -> list[Proposal]:
    """Each unbooked planned dose of the course in the first slot from `start` that keeps
    its phase's spacing and the clinic's rules: what the front desk confirms."""
    sessions = unbooked(course)
    if not sessions:
        return []
    protocol = dosing.course_protocol(course)
    by_name = {p.name: p for p in protocol.phases}
    phases: list[Phase] = []
    for s in sessions:  # the planned sessions, phase by phase, in their order
        base = by_name[s.phase]
        if phases and phases[-1].name == s.phase:
            phases[-1] = replace(phases[-1], sessions=(phases[-1].sessions or 0) + 1)
        else:
            phases.append(Phase(base.name, 1, base.per_week, base.min_hours_apart))
    minutes = minutes_for(clinic, "dosing", course)
    open_days = dosing.open_weekdays(clinic)

    def find(day: date, earliest: datetime | None) -> tuple[datetime, Slot] | None:
        if day.weekday() not in open_days:
            return None
        slot = first_slot(
            clinic, day, kind="dosing", product=course.product, minutes=minutes,
            patient_id=course.patient_id, earliest=earliest, staff_ids=staff_ids,
        )  # fmt: skip
        return (slot.starts_at, slot) if slot else None

    placed = rules.place_series(tuple(phases), start, find, after=last_dose_start(course))
    return [Proposal(s, slot) for s, (_, _, slot) in zip(sessions, placed, strict=True)]
