"""The chair and the calendar agree: the day's list shows each dose's time and chair, the
check-in marks the appointment arrived, the discharge marks it as taken place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions
from ketamine_clinic.appointments.models import Appointment, Place, WorkingHours
from ketamine_clinic.patients.access import PatientAccess
from tests.conftest import World
from tests.factories.calendar import furnish
from tests.factories.chair import GOOD_VITALS, Chair, plan_today, ready_to_dose, vault

pytestmark = pytest.mark.django_db
ALWAYS = {str(d): [["06:00", "22:00"]] for d in range(7)}


def test_the_chair_moves_the_appointment_on(world: World, clock: Any) -> None:
    furnish(world)
    Place.objects.update(hours=ALWAYS)
    places = {p.name: p for p in Place.objects.all()}
    WorkingHours.objects.update(hours=ALWAYS)
    scheduled = plan_today(world)
    booked = actions.book(
        Actor(user=world.users["front_desk"]), PatientAccess(world.patient, Role.FRONT_DESK),
        kind="dosing", starts_at=timezone.now() + timedelta(minutes=15), place=places["Chair 2"],
        staff=[world.users["nurse"].pk], scheduled=scheduled,
    )  # fmt: skip
    today = world.client("front_desk").get("/chair/")
    assert b"09:15 \xc2\xb7 Chair 2" in today.content
    opened = world.api("front_desk").post(f"/courses/{scheduled.course_id}/sessions", {})
    chair = Chair(world, str(opened.json()["id"]))
    ready_to_dose(world, chair)
    booked.refresh_from_db()
    assert booked.state == "arrived"
    chair.post("checks/pass")
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    clock.shift(timedelta(minutes=5))
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    clock.shift(timedelta(minutes=35))
    chair.post("vitals", **GOOD_VITALS)
    chair.post("observations", scale="cadss", score=4)
    clock.shift(timedelta(minutes=81))
    chair.post("observations", scale="moaas", score=5)
    chair.post("vitals", **GOOD_VITALS)
    assert (
        chair.post("ready", responsible_adult="Pat", ready_without_rule_min=75).status_code == 200
    )
    assert chair.post("discharge").status_code == 200
    booked.refresh_from_db()
    assert booked.state == Appointment.State.COMPLETED
    assert booked.history.first().history_user == world.users["nurse"]
