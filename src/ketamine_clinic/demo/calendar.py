"""The demo's calendar: three chairs and two rooms, the nurse's and the prescriber's hours,
and the coming days booked (the courses' planned doses and a few evaluations), through the
same actions as the front desk."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import time_machine
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import Clinic, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions, queries
from ketamine_clinic.clinical.appointments import AppointmentError
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import Course

OPEN = {str(day): [["08:00", "18:00"]] for day in range(7)}  # every day (demo.clinic)
FRONT_DESK_OPENS = time(7, 0)  # when the desk booked the day's doses


def seed_calendar(
    admin: Actor, desk: Actor, clinic: Clinic, staff: list[User], patients: list[Patient],
    now: datetime,
) -> None:  # fmt: skip
    for name, kind in (("Chair 1", "chair"), ("Chair 2", "chair"), ("Chair 3", "chair"),
                       ("Room A", "room"), ("Room B", "room")):  # fmt: skip
        actions.add_place(admin, clinic, kind, name, OPEN)
    for user in staff:
        actions.set_working_hours(admin, clinic, user, OPEN)
    # Booked first thing this morning, so a dose planned for today (Ms. Chen's) is at the
    # chair at 08:00 whatever the hour the demo starts.
    morning = timezone.make_aware(datetime.combine(timezone.localdate(now), FRONT_DESK_OPENS))
    with time_machine.travel(min(now, morning), tick=False):
        for course in Course.objects.filter(patient__clinic=clinic).exclude(state="stopped"):
            if queries.unbooked(course):
                access = PatientAccess(course.patient, Role.FRONT_DESK)
                try:
                    actions.book_series(desk, access, course, timezone.localdate(now))
                except (AppointmentError, InvalidInput, Conflict):
                    continue  # a plan the calendar cannot hold stays unbooked, as in life
    room = queries.places(clinic.pk, kind="room").first()
    prescriber = next(u for u in staff if u.role_in(clinic.pk) == Role.PRESCRIBER)
    day = timezone.localdate(now) + timedelta(days=1)
    for n, patient in enumerate(patients):
        starts = timezone.make_aware(datetime.combine(day, time(10 + n, 0)))
        actions.book(desk, PatientAccess(patient, Role.FRONT_DESK), kind="evaluation",
                     starts_at=starts, place=room, staff=[prescriber.pk])  # fmt: skip
