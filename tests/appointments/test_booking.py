"""Booking into chairs and rooms under the clinic's rules, through the actions."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions, queries
from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.treatment.models import Course, ScheduledSession
from tests.conftest import World
from tests.factories.calendar import at, furnish
from tests.factories.courses import COURSE, next_monday, order

pytestmark = pytest.mark.django_db


def desk(world: World) -> tuple[Actor, PatientAccess]:
    return Actor(user=world.users["front_desk"]), PatientAccess(world.patient, Role.FRONT_DESK)


def course(world: World) -> Course:
    body = order(world).json()
    return Course.objects.get(pk=body["id"])


def planned(c: Course) -> list[ScheduledSession]:
    return list(c.schedule.filter(kind="dosing").order_by("on"))


def dose(world: World, places: dict[str, Any], session: ScheduledSession, hour: int,
         chair: str = "Chair 1", nurse: str = "nurse") -> Appointment:  # fmt: skip
    actor, access = desk(world)
    return actions.book(
        actor, access, kind="dosing", starts_at=at(session.on, hour), place=places[chair],
        staff=[world.users[nurse].pk], scheduled=session,
    )  # fmt: skip


def test_a_dose_holds_its_chair_for_the_infusion_and_recovery(world: World) -> None:
    places = furnish(world)
    first = planned(course(world))[0]
    booked = dose(world, places, first, 9)
    assert booked.ends_at - booked.starts_at == timedelta(minutes=15 + 40 + 45)
    assert booked.product == "iv_racemic"
    assert list(booked.staff.all()) == [world.users["nurse"]]
    assert booked.history.count() == 2  # the booking, then who gives it
    assert [s.user_id for s in booked.history.first().staff.all()] == [world.users["nurse"].pk]
    assert AccessLog.objects.filter(what="appointment.dosing", patient_id=world.patient.pk).exists()
    with pytest.raises(Conflict):
        dose(world, places, first, 13)  # the planned session is booked already


def test_a_taken_chair_closed_hours_and_the_past_are_refused_with_the_field(
    world: World,
) -> None:
    places = furnish(world)
    sessions = planned(course(world))
    dose(world, places, sessions[0], 9)
    other = Actor(user=world.users["front_desk"]), PatientAccess(world.own_patient, Role.FRONT_DESK)
    with pytest.raises(InvalidInput) as exc:
        actions.book(*other, kind="preparation", starts_at=at(sessions[0].on, 9, 30),
                     place=places["Chair 1"], staff=[world.users["prescriber"].pk],
                     minutes=50)  # fmt: skip
    assert exc.value.field == "place"
    assert "the place is already booked then" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        dose(world, places, sessions[1], 17)
    assert exc.value.field == "starts_at"
    assert "closed for part of that time" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        actions.book(*other, kind="evaluation", starts_at=at(next_monday(), 9) - timedelta(days=14),
                     place=places["Room 1"], staff=[world.users["prescriber"].pk])  # fmt: skip
    assert "the time is in the past" in exc.value.message


def test_the_nurse_watches_no_more_patients_than_the_clinic_allows(world: World) -> None:
    places = furnish(world)
    monday = planned(course(world))[0]
    dose(world, places, monday, 9)
    own = PatientAccess(world.own_patient, Role.FRONT_DESK)
    body = world.api("prescriber").post(
        f"/patients/{world.own_patient.pk}/courses",
        {**COURSE, **world.infusion(), "start_on": next_monday().isoformat()},
    )
    theirs = planned(Course.objects.get(pk=body.json()["id"]))[0]
    actor = Actor(user=world.users["front_desk"])
    two = actions.book(actor, own, kind="dosing", starts_at=at(monday.on, 9, 30),
                       place=places["Chair 2"], staff=[world.users["nurse"].pk],
                       scheduled=theirs)  # fmt: skip
    actions.cancel(actor, own, two, two.version, "to try one nurse to one patient")
    world.clinic.appointment_settings = {"patients_per_nurse": 1}
    world.clinic.save()
    with pytest.raises(InvalidInput) as exc:
        actions.book(actor, own, kind="dosing", starts_at=at(monday.on, 9, 30),
                     place=places["Chair 2"], staff=[world.users["nurse"].pk],
                     scheduled=theirs)  # fmt: skip
    assert exc.value.field == "staff"
    assert "nurse would watch 2 patients at once (the clinic allows 1)" in exc.value.message


def test_a_nurse_watching_a_dose_is_not_free_for_a_room(world: World) -> None:
    places = furnish(world)
    monday = planned(course(world))[0]
    dose(world, places, monday, 9)
    own = PatientAccess(world.own_patient, Role.FRONT_DESK)
    actor = Actor(user=world.users["front_desk"])
    with pytest.raises(InvalidInput) as exc:
        actions.book(actor, own, kind="preparation", starts_at=at(monday.on, 10),
                     place=places["Room 1"], staff=[world.users["nurse"].pk])  # fmt: skip
    assert exc.value.message == "nurse is busy then"
    after = actions.book(actor, own, kind="preparation", starts_at=at(monday.on, 10, 40),
                         place=places["Room 1"], staff=[world.users["nurse"].pk])  # fmt: skip
    assert after.ends_at == at(monday.on, 11, 40)


def test_a_course_books_its_series_into_slots_that_keep_the_spacing(world: World) -> None:
    places = furnish(world)
    c = course(world)
    actor, access = desk(world)
    proposals = queries.propose_series(world.clinic, c, next_monday())
    assert len(proposals) == 6
    assert not Appointment.objects.exists()  # a preview books nothing
    booked = actions.book_series(actor, access, c, next_monday())
    assert [b.starts_at for b in booked] == [p.slot.starts_at for p in proposals]
    starts = [b.starts_at for b in booked]
    assert all(b - a >= timedelta(hours=48) for a, b in itertools.pairwise(starts))
    for appointment in booked:
        appointment.scheduled.refresh_from_db()
        assert appointment.scheduled.on == queries.local_day(appointment.starts_at)
        assert appointment.place in places.values()
    assert queries.unbooked(c) == []
    with pytest.raises(InvalidInput) as exc:
        actions.book_series(actor, access, c, next_monday())
    assert exc.value.field == "course"


def test_a_series_takes_the_first_free_time_around_what_is_booked(world: World) -> None:
    places = furnish(world)
    c = course(world)
    actor = Actor(user=world.users["front_desk"])
    own = PatientAccess(world.own_patient, Role.FRONT_DESK)
    # Both chairs taken 08:00-10:00 on the Monday, one of them with the nurse.
    for chair, who, person in (
        ("Chair 1", own, "prescriber"),
        ("Chair 2", desk(world)[1], "nurse"),
    ):
        actions.book(actor, who, kind="preparation", starts_at=at(next_monday(), 8),
                     place=places[chair], staff=[world.users[person].pk], minutes=120)  # fmt: skip
    proposals = queries.propose_series(world.clinic, c, next_monday())
    assert proposals[0].slot.starts_at == at(next_monday(), 10)


def test_moving_keeps_the_spacing_or_says_what_breaks(world: World) -> None:
    places = furnish(world)
    c = course(world)
    actor, access = desk(world)
    booked = actions.book_series(actor, access, c, next_monday())
    second = booked[1]
    with pytest.raises(InvalidInput) as exc:
        actions.move(
            actor, access, second, second.version, booked[0].starts_at + timedelta(hours=24)
        )
    assert exc.value.field == "starts_at"
    assert "less than 48 hours" in exc.value.message
    last = booked[-1]
    later = last.starts_at + timedelta(hours=3)
    moved = actions.move(actor, access, last, last.version, later, place=places["Chair 2"])
    assert moved.starts_at == later
    assert moved.moved_from == booked[-1].starts_at
    assert moved.place == places["Chair 2"]
    assert moved.history.first().moved_from == booked[-1].starts_at
    with pytest.raises(Conflict):
        actions.move(actor, access, last, last.version, later + timedelta(hours=1))
    monday = booked[0]
    with pytest.raises(InvalidInput) as exc:  # Monday's session to Tuesday: 24 h from Wednesday's
        actions.move(actor, access, monday, monday.version, booked[1].starts_at - timedelta(days=1))
    assert "less than 48 hours" in exc.value.message


def test_cancelling_frees_the_time_and_a_late_one_is_marked(
    world: World, time_machine: Any
) -> None:
    places = furnish(world)
    sessions = planned(course(world))
    actor, access = desk(world)
    first = dose(world, places, sessions[1], 9)  # at least two days away
    with pytest.raises(InvalidInput) as exc:
        actions.cancel(actor, access, first, first.version, "")
    assert exc.value.field == "reason"
    done = actions.cancel(actor, access, first, first.version, "patient unwell")
    assert done.state == "cancelled"
    assert sessions[1] in queries.unbooked(sessions[1].course)
    again = dose(world, places, sessions[1], 9)  # the chair is free again
    world.clinic.appointment_settings = {"late_cancel_hours": 168}
    world.clinic.save()
    # Two days before it, inside the week's notice whatever weekday the test runs on.
    time_machine.move_to(again.starts_at - timedelta(days=2))
    late = actions.cancel(actor, PatientAccess(world.patient, Role.FRONT_DESK), again,
                          again.version, "car broke down")  # fmt: skip
    assert late.state == "late_cancelled"


def test_a_no_show_is_only_recorded_once_the_time_has_come(world: World, time_machine: Any) -> None:
    places = furnish(world)
    first = planned(course(world))[0]
    actor, access = desk(world)
    booked = dose(world, places, first, 9)
    with pytest.raises(InvalidInput):
        actions.mark(actor, access, booked, booked.version, "no_show")
    time_machine.move_to(booked.starts_at + timedelta(minutes=30))
    missed = actions.mark(actor, access, booked, booked.version, "no_show")
    assert missed.state == "no_show"
    first.refresh_from_db()
    assert first.state == "missed"
    with pytest.raises(Conflict):
        actions.mark(actor, access, missed, missed.version, "arrived")


def test_working_hours_and_places_are_checked(world: World) -> None:
    admin = Actor(user=world.users["admin"])
    with pytest.raises(InvalidInput) as exc:
        actions.add_place(admin, world.clinic, "chair", "Chair 9", {"0": [["18:00", "08:00"]]})
    assert exc.value.field == "hours"
    with pytest.raises(InvalidInput) as exc:
        actions.add_place(admin, world.clinic, "sofa", "Sofa", {})
    assert exc.value.field == "kind"
    furnish(world)
    with pytest.raises(InvalidInput) as exc:
        actions.add_place(admin, world.clinic, "chair", "chair 1", {})
    assert exc.value.field == "name"
    with pytest.raises(InvalidInput) as exc:
        actions.set_working_hours(admin, world.clinic, world.users["other_clinic_nurse"], {})
    assert exc.value.field == "user"
