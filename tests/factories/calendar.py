"""A location furnished for booking: two chairs and a room open Monday to Friday 08:00-18:00,
the nurse and the prescriber working those hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions
from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.treatment.models import Course
from tests.conftest import World
from tests.factories.courses import next_monday, order

WEEKDAYS = {str(d): [["08:00", "18:00"]] for d in range(5)}


def furnish(world: World) -> dict[str, Any]:
    admin = Actor(user=world.users["admin"])
    places = {
        name: actions.add_place(admin, world.clinic, kind, name, WEEKDAYS)
        for name, kind in (("Chair 1", "chair"), ("Chair 2", "chair"), ("Room 1", "room"))
    }
    for persona in ("nurse", "prescriber"):
        actions.set_working_hours(admin, world.clinic, world.users[persona], WEEKDAYS)
    return places


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A time on the clinic's clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def booked_series(world: World, weeks_later: int = 0) -> list[Appointment]:
    """A furnished location and the patient's six-infusion course booked from next Monday (or
    a Monday some weeks after it: far enough that nothing about the first dose is due yet,
    whatever the time of day the test runs)."""
    furnish(world)
    start = next_monday() + timedelta(weeks=weeks_later)
    course = Course.objects.get(pk=order(world, start_on=start.isoformat()).json()["id"])
    desk = Actor(user=world.users["front_desk"])
    return actions.book_series(desk, PatientAccess(world.patient, Role.FRONT_DESK), course,
                               start)  # fmt: skip
