"""The calendar's screens role by role: who sees them, what they show, and the refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.appointments.models import Appointment
from tests.conftest import World
from tests.factories.calendar import at, booked_series, furnish
from tests.factories.courses import next_monday

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [("front_desk", 200), ("nurse", 200), ("prescriber", 200), ("admin", 403), ("patient", 403)],
)
def test_who_opens_the_calendar(world: World, persona: str, status: int) -> None:
    assert world.client(persona).get("/calendar/").status_code == status


def test_the_calendar_feeds_its_events_by_place_and_by_person(world: World) -> None:
    series = booked_series(world)
    desk = world.client("front_desk")
    monday = next_monday()
    span = {"start": f"{monday}T00:00:00", "end": f"{monday + timedelta(days=7)}T00:00:00"}
    every = desk.get("/calendar/events/", span).json()
    by_place = [e for e in every if e.get("display") != "background"]
    assert len(by_place) == 3  # Monday, Wednesday, Friday of the first week
    shaded = [e for e in every if e.get("display") == "background"]
    chair = str(series[0].place_id)
    assert {"start": f"{monday}T00:00:00", "end": f"{monday}T08:00:00", "resourceIds": [chair],
            "display": "background", "classNames": ["kc-closed"],
            "backgroundColor": "#dee2e6"} in shaded  # fmt: skip
    saturday = monday + timedelta(days=5)  # closed all day
    assert any(
        e["start"] == f"{saturday}T00:00:00"
        and e["end"].startswith(str(saturday + timedelta(days=1)))
        for e in shaded
    )
    assert by_place[0]["resourceIds"] == [str(series[0].place_id)]
    assert by_place[0]["start"] == f"{monday}T08:00:00"  # the clinic's clock, no offset
    assert by_place[0]["title"] == "Walker, James · Dosing"
    by_person = desk.get("/calendar/events/", {**span, "by": "person"}).json()
    assert by_person[0]["resourceIds"] == [str(world.users["nurse"].pk)]
    assert world.client("other_clinic_nurse").get("/calendar/events/", span).json() == []
    too_long = {**span, "end": f"{monday + timedelta(days=60)}T00:00:00"}
    assert desk.get("/calendar/events/", too_long).status_code == 422
    assert desk.get("/calendar/events/", {"start": "soon", "end": "later"}).status_code == 422
    assert AccessLog.objects.filter(what="appointments.calendar").exists()
    page = desk.get(f"/calendar/?day={monday}")
    assert b"Walker" in page.content  # the list under the grid


def test_a_drop_moves_or_answers_why_not(world: World) -> None:
    series = booked_series(world)
    first = series[0]
    desk = world.client("front_desk")
    url = f"/calendar/appointments/{first.pk}/drop/"

    def drop(body: dict[str, object], client: object = desk) -> object:
        return client.post(url, json.dumps(body), content_type="application/json")  # type: ignore[attr-defined]

    refused = drop({"start": f"{next_monday()}T17:00:00", "version": 1}).json()
    assert refused["moved"] is False
    assert "closed" in refused["error"]
    stale = drop({"start": f"{next_monday()}T08:00:00", "version": 9}).json()
    assert stale == {"moved": False, "error": stale["error"], "field": "version"}
    chair2 = next(p for p in series[0].clinic.places.all() if p.name == "Chair 2")
    moved = drop({"start": f"{next_monday()}T08:00:00", "version": 1, "place": str(chair2.pk)})
    assert moved.json() == {"moved": True, "version": 2}
    assert drop({"start": "x", "version": 2}).json()["moved"] is False
    assert drop({"start": f"{next_monday()}T08:00:00", "version": 2},
                world.client("patient")).status_code == 404  # fmt: skip
    assert drop({"start": f"{next_monday()}T08:00:00", "version": 2},
                world.client("admin")).status_code == 403  # fmt: skip


def test_the_appointment_page_records_what_happened(world: World) -> None:
    series = booked_series(world)
    last = series[-1]
    desk = world.client("front_desk")
    url = f"/calendar/appointments/{last.pk}/"
    page = desk.get(url).content.decode()
    assert "Walker" in page
    history = page[page.index('id="appointment-history"') :]
    assert history.count("<li>") == 1  # the booking, its staff on the same line
    assert ": Booked at" in history
    assert ", with nurse (by front_desk)" in history
    later = (last.starts_at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    moved = desk.post(url, {"step": "move", "m-version": 1, "m-starts_at": later, "m-place": ""})
    assert moved.status_code == 302
    last.refresh_from_db()
    assert last.starts_at == at(last.starts_at.date(), 10)
    short = desk.post(url, {"step": "cancel", "c-version": 2, "c-reason": "no"})
    assert b"needs at least 5 characters (it has 2)." in short.content
    cancelled = desk.post(url, {"step": "cancel", "c-version": 2, "c-reason": "patient unwell"})
    assert cancelled.status_code == 302
    last.refresh_from_db()
    assert last.state == "cancelled"
    assert world.client("admin").get(url).status_code == 403
    assert world.client("other_clinic_nurse").get(url).status_code == 404


def test_booking_one_appointment_from_the_chart(world: World) -> None:
    furnish(world)
    desk = world.client("front_desk")
    chart = desk.get(f"/calendar/patients/{world.patient.pk}/")
    assert b"Book an appointment" in chart.content
    room = next(p for p in world.clinic.places.all() if p.name == "Room 1")
    url = f"/calendar/patients/{world.patient.pk}/book/"
    when = at(next_monday(), 11).strftime("%Y-%m-%dT%H:%M")
    body = {"kind": "evaluation", "starts_at": when, "place": str(room.pk),
            "staff": str(world.users["prescriber"].pk)}  # fmt: skip
    made = desk.post(url, body)
    assert made.status_code == 302, made.content
    evaluation = Appointment.objects.get(kind="evaluation")
    assert evaluation.ends_at - evaluation.starts_at == timedelta(minutes=60)
    again = desk.post(url, body)
    assert b"the place is already booked then" in again.content
    found = desk.get("/calendar/book/", {"q": "walker", "start": when})
    assert b"James Walker" in found.content or b"Walker" in found.content
    assert world.client("patient").get(url).status_code == 404


def test_an_admin_keeps_the_chairs_rooms_and_working_hours(world: World) -> None:
    admin = world.client("admin")
    assert admin.get("/calendar/places/").status_code == 200
    added = admin.post("/calendar/places/", {"step": "add", "p-kind": "chair", "p-name": "Chair 9",
                                             "p-hours": "mon 08:00-18:00\ntue 08:00-18:00",
                                             "p-active": "on"})  # fmt: skip
    assert added.status_code == 302
    chair = world.clinic.places.get(name="Chair 9")
    assert chair.hours == {"0": [["08:00", "18:00"]], "1": [["08:00", "18:00"]]}
    bad = admin.post("/calendar/places/", {"step": "add", "p-kind": "chair", "p-name": "Chair 10",
                                           "p-hours": "mon 18:00-08:00"})  # fmt: skip
    assert b"closes before it opens" in bad.content
    edited = admin.post("/calendar/places/", {"step": "edit", "place": str(chair.pk),
                                              "p-version": 1, "p-kind": "chair",
                                              "p-name": "Chair 9", "p-hours": ""})  # fmt: skip
    assert edited.status_code == 302
    chair.refresh_from_db()
    assert (chair.active, chair.hours, chair.version) == (False, {}, 2)
    stale = admin.post("/calendar/places/", {"step": "edit", "place": str(chair.pk),
                                             "p-version": 1, "p-kind": "chair",
                                             "p-name": "Chair X", "p-hours": ""})  # fmt: skip
    assert b"someone changed this place first" in stale.content
    nurse = str(world.users["nurse"].pk)
    saved = admin.post("/calendar/places/", {"step": "hours", "h-user": nurse,
                                             "h-hours": "wed 07:00-15:30"})  # fmt: skip
    assert saved.status_code == 302
    assert world.users["nurse"].working_hours.get().hours == {"2": [["07:00", "15:30"]]}
    assert world.client("front_desk").get("/calendar/places/").status_code == 403
