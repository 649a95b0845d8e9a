"""The waiting list: a freed time is offered to those who could take it, and booked in one
click; a dose on the list books its course's next planned dose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions, queries
from ketamine_clinic.appointments.models import Appointment, WaitlistEntry
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.treatment.models import Course
from tests.conftest import World
from tests.factories.calendar import at, furnish
from tests.factories.courses import next_monday, order

pytestmark = pytest.mark.django_db


def desk(world: World, patient: object) -> tuple[Actor, PatientAccess]:
    return Actor(user=world.users["front_desk"]), PatientAccess(patient, Role.FRONT_DESK)  # type: ignore[arg-type]


def test_a_cancelled_evaluation_is_offered_and_booked_for_a_waiting_patient(
    world: World,
) -> None:
    places = furnish(world)
    monday = next_monday()
    first = actions.book(*desk(world, world.own_patient), kind="evaluation",
                         starts_at=at(monday, 10), place=places["Room 1"],
                         staff=[world.users["prescriber"].pk])  # fmt: skip
    entry = actions.add_to_waitlist(*desk(world, world.patient), kind="evaluation",
                                    earliest=monday, latest=monday + timedelta(days=14),
                                    note="any morning")  # fmt: skip
    assert queries.waiting_for(first) == [entry]  # it is the same kind of place
    cancelled = actions.cancel(*desk(world, world.own_patient), first, first.version,
                               "she found another clinic")  # fmt: skip
    page = world.client("front_desk").get(f"/calendar/appointments/{cancelled.pk}/")
    assert b"Book James here" in page.content
    offer = {"step": "offer", "entry": str(entry.pk)}
    offered = world.client("front_desk").post(f"/calendar/appointments/{cancelled.pk}/", offer)
    assert offered.status_code == 302
    given = Appointment.objects.get(patient=world.patient)
    assert (given.starts_at, given.place, given.kind) == (
        first.starts_at,
        first.place,
        "evaluation",
    )
    entry.refresh_from_db()
    assert (entry.state, entry.appointment) == ("booked", given)
    with pytest.raises(Conflict):
        actions.book_from_waitlist(*desk(world, world.patient), entry, cancelled)


def test_a_dose_on_the_list_books_the_next_planned_dose_with_its_spacing(world: World) -> None:
    places = furnish(world)
    course = Course.objects.get(pk=order(world).json()["id"])
    other = world.api("prescriber").post(
        f"/patients/{world.own_patient.pk}/courses",
        {"protocol": "iv-racemic-standard", "dose_mg_per_kg": "0.5", "duration_min": "40",
         **world.infusion(), "start_on": next_monday().isoformat()},
    ).json()  # fmt: skip
    theirs = Course.objects.get(pk=other["id"]).schedule.filter(kind="dosing").order_by("on")[0]
    taken = actions.book(*desk(world, world.own_patient), kind="dosing",
                         starts_at=at(next_monday(), 8), place=places["Chair 1"],
                         staff=[world.users["nurse"].pk], scheduled=theirs)  # fmt: skip
    monday = next_monday()
    entry = actions.add_to_waitlist(
        *desk(world, world.patient), kind="dosing", earliest=monday, latest=monday, course=course
    )
    freed = actions.cancel(*desk(world, world.own_patient), taken, taken.version, "unwell today")
    assert queries.waiting_for(freed) == [entry]
    given = actions.book_from_waitlist(*desk(world, world.patient), entry, freed)
    assert given.scheduled is not None
    assert given.scheduled.course_id == course.pk
    assert given.starts_at == at(next_monday(), 8)


def test_the_list_checks_what_it_is_given(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as exc:
        actions.add_to_waitlist(*desk(world, world.patient), kind="evaluation",
                                earliest=today - timedelta(days=1), latest=today)  # fmt: skip
    assert exc.value.field == "earliest"
    with pytest.raises(InvalidInput) as exc:
        actions.add_to_waitlist(*desk(world, world.patient), kind="evaluation",
                                earliest=today, latest=today - timedelta(days=1))  # fmt: skip
    assert exc.value.field == "latest"
    with pytest.raises(InvalidInput) as exc:
        actions.add_to_waitlist(*desk(world, world.patient), kind="dosing",
                                earliest=today, latest=today)  # fmt: skip
    assert exc.value.field == "course"


def test_the_waiting_list_screens(world: World) -> None:
    desk_client = world.client("front_desk")
    url = f"/calendar/patients/{world.patient.pk}/wait/"
    monday = next_monday()
    added = desk_client.post(url, {"kind": "follow_up", "earliest": str(monday),
                                   "latest": str(monday + timedelta(days=7))})  # fmt: skip
    assert added.status_code == 302
    page = desk_client.get("/calendar/waiting/")
    assert b"James Walker" in page.content
    entry = WaitlistEntry.objects.get()
    desk_client.post("/calendar/waiting/", {"entry": str(entry.pk), "version": entry.version})
    entry.refresh_from_db()
    assert entry.state == "withdrawn"
    assert world.client("patient").get("/calendar/waiting/").status_code == 403
    assert world.client("other_clinic_nurse").get(url).status_code == 404
