"""Every write to the clinic's calendar: places and their hours, staff working hours, and
appointments booked, a course's series booked, moved, cancelled, marked arrived, done or
no-show. Each action owns its transaction and its audit row.

Bookings of one clinic are made one at a time: each takes a lock on the clinic's row before
it reads what is booked, so two front-desk screens cannot both take the last chair (the
second sees the first's booking and is refused with the reason)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic, User, hash_token
from ketamine_clinic.appointments import queries
from ketamine_clinic.appointments.feeds import PREFIX
from ketamine_clinic.appointments.models import (
    Appointment,
    CalendarFeed,
    Place,
    WaitlistEntry,
    WorkingHours,
)
from ketamine_clinic.clinical import appointments as rules
from ketamine_clinic.clinical.appointments import AppointmentError, Span
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.versioning import save_changes
from ketamine_clinic.treatment.actions import courses as course_actions
from ketamine_clinic.treatment.models import Course, ScheduledSession
from ketamine_clinic.treatment.queries import dosing

MIN_REASON = 5


def _current(appointment: Appointment, version: int) -> None:
    """A screen showing an older version is told to reload before any rule is judged (the
    version is claimed again when the change is saved)."""
    if appointment.version != version:
        raise Conflict("someone changed this appointment first: reload and try again")


def _lock(clinic: Clinic) -> None:
    """Serialise the clinic's bookings (see the module's docstring)."""
    Clinic.objects.select_for_update().filter(pk=clinic.pk).values_list("pk").first()


def _hours(hours: dict[str, Any], field: str = "hours") -> dict[str, Any]:
    try:
        rules.parse_hours(hours, field)
    except AppointmentError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    return hours


def add_place(actor: Actor, clinic: Clinic, kind: str, name: str, hours: dict[str, Any]) -> Place:
    if kind not in Place.Kind.values:
        raise InvalidInput("kind", "a chair or a room")
    if not name.strip():
        raise InvalidInput("name", "required")
    with transaction.atomic():
        if Place.objects.filter(clinic=clinic, name__iexact=name.strip()).exists():
            raise InvalidInput("name", "this location already has a place of that name")
        place = Place.objects.create(
            clinic=clinic, kind=kind, name=name.strip(), hours=_hours(hours)
        )
        record_access(actor, action="create", what=f"place {place.name}", clinic=clinic)
    return place


def change_place(actor: Actor, place: Place, version: int, changes: dict[str, Any]) -> Place:
    """Rename a place, change its hours or take it out of use (its bookings stay)."""
    allowed = {"name", "hours", "active"}
    if unknown := set(changes) - allowed:
        raise InvalidInput(sorted(unknown)[0], "cannot be changed")
    if "hours" in changes:
        _hours(changes["hours"])
    with transaction.atomic():
        bumped = Place.objects.filter(pk=place.pk, version=version).update(version=version + 1)
        if not bumped:
            raise Conflict("someone changed this place first: reload and try again")
        fresh = Place.objects.get(pk=place.pk)
        for field, value in changes.items():
            setattr(fresh, field, value)
        fresh.save()
        record_access(actor, action="update", what=f"place {fresh.name}", clinic=fresh.clinic_id)
    return fresh


def set_working_hours(
    actor: Actor, clinic: Clinic, user: User, hours: dict[str, Any]
) -> WorkingHours:
    """When a member of staff works at this location (replaces their weekly hours here)."""
    if user.membership_in(clinic.pk) is None:
        raise InvalidInput("user", "does not work at this location")
    _hours(hours)
    with transaction.atomic():
        row, created = WorkingHours.objects.get_or_create(
            clinic=clinic, user=user, defaults={"hours": hours}
        )
        if not created:
            row.hours = hours
            row.version += 1
            row.save()
        record_access(
            actor, action="update", what=f"working hours of {user.username}", clinic=clinic
        )
    return row


def _staff(clinic: Clinic, ids: list[Any]) -> list[User]:
    found = list(
        User.objects.filter(
            pk__in=ids, memberships__clinic=clinic, memberships__is_active=True
        ).distinct()
    )
    if len(found) != len(set(ids)):
        raise InvalidInput("staff", "not all of them work at this location")
    return found


def _check(
    clinic: Clinic,
    *,
    kind: str,
    product: str,
    starts_at: datetime,
    minutes: int,
    place: Place | None,
    staff: list[User],
    patient_id: Any,
    exclude: Any = None,
) -> None:
    """Refuse a booking that breaks a rule, naming the field and every reason."""
    day = queries.local_day(starts_at)
    span = Span(starts_at, starts_at + timedelta(minutes=minutes))
    on_site = queries.staff_on(clinic, day)
    working = {s.id: s for s in on_site}
    assigned = tuple(
        working.get(u.pk)
        or rules.Staff(u.pk, _role(clinic, u), [], u.get_full_name() or u.username)
        for u in staff
    )
    if place is None:  # telehealth: no place to hold, the clinician's hours still count
        hours = [span] if kind == "telehealth" else []
    else:
        hours = queries.place_hours(clinic, place, day)
    request = rules.Request(span, kind, product, place.pk if place else None, hours, patient_id,
                            assigned, timezone.now())  # fmt: skip
    booked = queries.booked_around(clinic.pk, span, exclude)
    found = rules.problems(request, booked, on_site, queries.settings_of(clinic))
    if found:
        raise InvalidInput(found[0].field, "; ".join(p.message for p in found))


def _role(clinic: Clinic, user: User) -> str:
    role = user.role_in(clinic.pk)
    return queries.STAFF_ROLES.get(role, str(role)) if role else ""


def book(
    actor: Actor,
    access: PatientAccess,
    *,
    kind: str,
    starts_at: datetime,
    staff: list[Any],
    place: Place | None = None,
    minutes: int | None = None,
    course: Course | None = None,
    scheduled: ScheduledSession | None = None,
    note: str = "",
) -> Appointment:
    """Book one appointment. A dose books a course's planned session: its length comes from
    the protocol and the clinic, and its day becomes the session's day."""
    clinic = access.patient.clinic
    if kind not in Appointment.Kind.values:
        raise InvalidInput("kind", f"one of {', '.join(Appointment.Kind.values)}")
    if kind == "dosing":
        if scheduled is None:
            raise InvalidInput("scheduled", "a dose books one of the course's planned sessions")
        course = scheduled.course
        if scheduled.state != ScheduledSession.State.PLANNED or not scheduled.is_dosing:
            raise InvalidInput("scheduled", "not a planned dosing session")
        if queries.holding_for(scheduled):
            raise Conflict("this planned session is already booked")
        if place is None or place.kind != Place.Kind.CHAIR:
            raise InvalidInput("place", "a dose is given in a chair")
    elif place is None and kind != "telehealth":
        raise InvalidInput("place", "choose a room")
    if place is not None and place.clinic_id != clinic.pk:
        raise InvalidInput("place", "no such place at this location")
    length = (
        queries.minutes_for(clinic, kind, course)
        if kind == "dosing" or minutes is None
        else minutes
    )
    users = _staff(clinic, staff)
    product = course.product if course is not None and kind == "dosing" else ""
    with transaction.atomic():
        _lock(clinic)
        _check(clinic, kind=kind, product=product, starts_at=starts_at, minutes=length,
               place=place, staff=users, patient_id=access.patient.pk)  # fmt: skip
        if scheduled is not None:
            _follow(actor, access, scheduled, starts_at)
        appointment = Appointment(
            patient=access.patient, clinic=clinic, kind=kind, product=product,
            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=length), place=place,
            course=course, scheduled=scheduled, note=note, created_by=actor.user,
        )  # fmt: skip
        appointment.attribute_to(actor.user)
        appointment.save()
        appointment.staff.set(users)
        record_patient_access(actor, access, "create", f"appointment.{kind}")
    return appointment


def _follow(actor: Actor, access: PatientAccess, scheduled: ScheduledSession, at: datetime) -> None:
    """The planned session moves to the booked day (the course's spacing rules apply)."""
    day = queries.local_day(at)
    if scheduled.on != day:
        course_actions.move_session(actor, access, scheduled, scheduled.version, day)
        scheduled.refresh_from_db()


def book_series(
    actor: Actor,
    access: PatientAccess,
    course: Course,
    start: date,
    staff: tuple[Any, ...] = (),
) -> list[Appointment]:
    """Book every unbooked planned dose of the course into the first slots that keep its
    spacing, all or nothing (the preview is `queries.propose_series`)."""
    if course.patient_id != access.patient.pk:
        raise InvalidInput("course", "not this patient's course")
    clinic = access.patient.clinic
    with transaction.atomic():
        _lock(clinic)
        try:
            proposals = queries.propose_series(clinic, course, start, tuple(staff))
        except AppointmentError as exc:
            raise InvalidInput(exc.field, exc.message) from None
        if not proposals:
            raise InvalidInput("course", "every planned dose of this course is already booked")
        booked = [
            book(actor, access, kind="dosing", starts_at=p.slot.starts_at,
                 staff=list(p.slot.staff), place=p.slot.place, scheduled=p.scheduled)
            for p in proposals
        ]  # fmt: skip
    return booked


def move(
    actor: Actor,
    access: PatientAccess,
    appointment: Appointment,
    version: int,
    starts_at: datetime,
    place: Place | None = None,
    staff: list[Any] | None = None,
) -> Appointment:
    """Move an appointment (and its planned session): the capacity rules and, for a dose,
    the course's spacing must still hold, or the move is refused with what breaks."""
    _current(appointment, version)
    if appointment.state != Appointment.State.BOOKED:
        raise Conflict(f"only a booked appointment can be moved (this one is {appointment.state})")
    clinic = access.patient.clinic
    where = place or appointment.place
    if where is not None and where.clinic_id != clinic.pk:
        raise InvalidInput("place", "no such place at this location")
    users = _staff(clinic, staff) if staff is not None else list(appointment.staff.all())
    minutes = round((appointment.ends_at - appointment.starts_at).total_seconds() / 60)
    with transaction.atomic():
        _lock(clinic)
        _check(clinic, kind=appointment.kind, product=appointment.product, starts_at=starts_at,
               minutes=minutes, place=where, staff=users, patient_id=access.patient.pk,
               exclude=appointment.pk)  # fmt: skip
        if appointment.kind == "dosing" and appointment.course_id:
            _check_spacing(appointment, starts_at)
        if appointment.scheduled is not None:
            _follow(actor, access, appointment.scheduled, starts_at)
        moved = save_changes(
            appointment,
            version,
            {"starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=minutes),
             "place": where, "moved_from": appointment.starts_at},
            actor,
        )  # fmt: skip
        moved.staff.set(users)
        record_patient_access(actor, access, "update", "appointment.move")
    return moved


def _check_spacing(appointment: Appointment, starts_at: datetime) -> None:
    course = appointment.course
    assert course is not None  # noqa: S101  # checked by the caller
    phase_name = appointment.scheduled.phase if appointment.scheduled else ""
    protocol = dosing.course_protocol(course)
    phase = next((p for p in protocol.phases if p.name == phase_name), protocol.phases[0])
    others = [a.starts_at for a in queries.course_doses(course) if a.pk != appointment.pk]
    found = rules.spacing_problems(others, starts_at, phase)
    if found:
        raise InvalidInput("starts_at", "; ".join(found))


def follow_the_chair(
    actor: Actor, access: PatientAccess, scheduled: ScheduledSession | None, state: str
) -> None:
    """The chair's check-in marks the dose's appointment arrived; its discharge marks it as
    taken place (inside the chair's transaction)."""
    found = queries.booking_of(scheduled) if scheduled is not None else None
    if found is None:
        return
    allowed: dict[str, tuple[str, ...]] = {
        Appointment.State.ARRIVED: (Appointment.State.BOOKED,),
        Appointment.State.COMPLETED: (Appointment.State.BOOKED, Appointment.State.ARRIVED),
    }
    if found.state in allowed[state]:
        save_changes(found, found.version, {"state": state}, actor)
        record_patient_access(actor, access, "update", f"appointment.{state}")


def cancel(actor: Actor, access: PatientAccess, appointment: Appointment, version: int,
           reason: str) -> Appointment:  # fmt: skip
    """Cancel: the time is freed; inside the clinic's notice period it is a late
    cancellation. A dose's planned session stays planned, to be booked again."""
    _current(appointment, version)
    if len(reason.strip()) < MIN_REASON:
        raise InvalidInput("reason", f"say why ({MIN_REASON} characters or more)")
    if appointment.state != Appointment.State.BOOKED:
        raise Conflict(
            f"only a booked appointment can be cancelled (this one is {appointment.state})"
        )
    notice = timedelta(hours=queries.settings_of(access.patient.clinic).late_cancel_hours)
    late = appointment.starts_at - timezone.now() < notice
    state = Appointment.State.LATE_CANCELLED if late else Appointment.State.CANCELLED
    with transaction.atomic():
        done = save_changes(
            appointment, version, {"state": state, "cancel_reason": reason.strip()}, actor
        )
        record_patient_access(actor, access, "update", f"appointment.{state}")
    return done


def mark(actor: Actor, access: PatientAccess, appointment: Appointment, version: int,
         state: str) -> Appointment:  # fmt: skip
    """The patient arrived, the appointment took place, or the patient did not come (a
    dose's planned session is then recorded as missed)."""
    _current(appointment, version)
    steps: dict[str, tuple[str, ...]] = {
        Appointment.State.ARRIVED: (Appointment.State.BOOKED,),
        Appointment.State.COMPLETED: (Appointment.State.BOOKED, Appointment.State.ARRIVED),
        Appointment.State.NO_SHOW: (Appointment.State.BOOKED,),
    }
    if state not in steps:
        raise InvalidInput("state", "arrived, completed or no_show")
    if appointment.state not in steps[state]:
        raise Conflict(f"this appointment is {appointment.state}")
    if state == Appointment.State.NO_SHOW and appointment.starts_at > timezone.now():
        raise InvalidInput("state", "a patient cannot miss an appointment that has not begun")
    with transaction.atomic():
        done = save_changes(appointment, version, {"state": state}, actor)
        scheduled = appointment.scheduled
        if (
            state == Appointment.State.NO_SHOW
            and scheduled is not None
            and scheduled.state == "planned"
        ):
            course_actions.mark_session(
                actor, access, scheduled, scheduled.version, "missed", "no-show"
            )
        record_patient_access(actor, access, "update", f"appointment.{state}")
    return done


def new_feed_link(actor: Actor, clinic: Clinic) -> str:
    """A new private link for the person acting (the old one stops working). The secret is
    returned once."""
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(clinic=clinic, user=actor.user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        CalendarFeed.objects.create(clinic=clinic, user=actor.user, key_hash=hash_token(raw))
        record_access(actor, action="create", what="calendar feed", clinic=clinic)
    return raw


def revoke_feed(actor: Actor, clinic: Clinic) -> int:
    with transaction.atomic():
        done = CalendarFeed.objects.filter(
            clinic=clinic, user=actor.user, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        record_access(actor, action="update", what="calendar feed revoked", clinic=clinic)
    return done


def add_to_waitlist(
    actor: Actor,
    access: PatientAccess,
    *,
    kind: str,
    earliest: date,
    latest: date,
    course: Course | None = None,
    note: str = "",
) -> WaitlistEntry:
    """Put the patient on the waiting list for a time between two days (a dose: the next
    planned dose of the course)."""
    if kind not in Appointment.Kind.values:
        raise InvalidInput("kind", f"one of {', '.join(Appointment.Kind.values)}")
    if earliest < timezone.localdate():
        raise InvalidInput("earliest", "must not be in the past")
    if latest < earliest:
        raise InvalidInput("latest", "must not be before the earliest day")
    if latest - earliest > timedelta(days=90):
        raise InvalidInput("latest", "at most 90 days after the earliest")
    if kind == Appointment.Kind.DOSING:
        if course is None or course.patient_id != access.patient.pk:
            raise InvalidInput("course", "a dose waits with its course")
        if not queries.unbooked(course):
            raise InvalidInput("course", "every planned dose of this course is booked")
    with transaction.atomic():
        entry = WaitlistEntry(
            patient=access.patient, clinic=access.patient.clinic, kind=kind,
            course=course if kind == Appointment.Kind.DOSING else None, earliest=earliest,
            latest=latest, note=note.strip(), created_by=actor.user,
        )  # fmt: skip
        entry.attribute_to(actor.user)
        entry.save()
        record_patient_access(actor, access, "create", "waitlist")
    return entry


def withdraw_from_waitlist(
    actor: Actor, access: PatientAccess, entry: WaitlistEntry, version: int
) -> WaitlistEntry:
    if entry.state != WaitlistEntry.State.WAITING:
        raise Conflict(f"this entry is {entry.state}")
    with transaction.atomic():
        done = save_changes(entry, version, {"state": WaitlistEntry.State.WITHDRAWN}, actor)
        record_patient_access(actor, access, "update", "waitlist.withdrawn")
    return done


def book_from_waitlist(
    actor: Actor, access: PatientAccess, entry: WaitlistEntry, freed: Appointment
) -> Appointment:
    """Give a freed time to a waiting patient: same place, same time, same staff (a dose
    books the course's next planned dose there, its spacing checked)."""
    if entry.state != WaitlistEntry.State.WAITING:
        raise Conflict(f"this entry is {entry.state}")
    if freed.state not in (Appointment.State.CANCELLED, Appointment.State.LATE_CANCELLED):
        raise Conflict("that time is not free")
    staff = [u.pk for u in freed.staff.all()]
    with transaction.atomic():
        if entry.kind == Appointment.Kind.DOSING:
            assert entry.course is not None  # noqa: S101  # add_to_waitlist requires it
            pending = queries.unbooked(entry.course)
            if not pending:
                raise Conflict("every planned dose of this course is booked already")
            booked = book(actor, access, kind=entry.kind, starts_at=freed.starts_at,
                          staff=staff, place=freed.place, scheduled=pending[0])  # fmt: skip
        else:
            minutes = round((freed.ends_at - freed.starts_at).total_seconds() / 60)
            booked = book(actor, access, kind=entry.kind, starts_at=freed.starts_at,
                          staff=staff, place=freed.place, minutes=minutes)  # fmt: skip
        done = {"state": WaitlistEntry.State.BOOKED, "appointment": booked}
        save_changes(entry, entry.version, done, actor)
    return booked
