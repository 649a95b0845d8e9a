"""The calendar's API, role by role: who may furnish the location, book, move and cancel,
and who is refused (403 for a role, 404 for another clinic's record)."""

from __future__ import annotations

from typing import Any

import pytest

from ketamine_clinic.appointments.models import Appointment
from tests.conftest import World
from tests.factories.calendar import WEEKDAYS, at, furnish
from tests.factories.courses import next_monday, order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 201), ("front_desk", 403), ("nurse", 403), ("patient", 403), (None, 401)],
)
def test_only_an_admin_adds_a_place(world: World, role: str | None, status: int) -> None:
    body = {"kind": "chair", "name": "Chair 7", "hours": WEEKDAYS}
    assert world.api(role).post("/places", body).status_code == status


def test_places_and_hours_are_checked_and_kept_to_the_clinic(world: World) -> None:
    admin = world.api("admin")
    bad = admin.post("/places", {"kind": "chair", "name": "Chair 8", "hours": {"0": [["9", "x"]]}})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "hours"
    b_clinic = {"kind": "room", "name": "Room B", "clinic": str(world.other_clinic.pk)}
    assert admin.post("/places", b_clinic).status_code == 404
    made = admin.post("/places", {"kind": "chair", "name": "Chair 8", "hours": WEEKDAYS}).json()
    assert world.api("front_desk").get("/places").json()[0]["name"] == "Chair 8"
    assert world.api("other_clinic_nurse").get("/places").json() == []
    stale = admin.patch(f"/places/{made['id']}", {"version": 1, "active": False})
    assert stale.status_code == 200
    assert stale.json()["active"] is False
    assert admin.patch(f"/places/{made['id']}", {"version": 1, "name": "X"}).status_code == 409
    assert (
        world.api("other_clinic_nurse")
        .patch(f"/places/{made['id']}", {"version": 2, "name": "X"})
        .status_code
        == 404
    )
    hours = {"hours": WEEKDAYS}
    nurse = world.users["nurse"].pk
    assert admin.put(f"/working-hours/{nurse}", hours).status_code == 200
    assert world.api("front_desk").put(f"/working-hours/{nurse}", hours).status_code == 403
    outsider = world.users["other_clinic_nurse"].pk
    assert admin.put(f"/working-hours/{outsider}", hours).status_code == 404
    patient_user = world.users["patient"].pk
    assert admin.put(f"/working-hours/{patient_user}", hours).status_code == 404


def _course_and_places(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    places = furnish(world)
    return order(world).json(), places


def test_the_front_desk_books_a_course_and_works_the_day(world: World) -> None:
    course, places = _course_and_places(world)
    desk = world.api("front_desk")
    monday = next_monday()
    wanted = {"on": monday.isoformat(), "kind": "dosing", "course": course["id"]}
    slots = desk.get("/appointments/free-slots", data=wanted)
    assert slots.status_code == 200, slots.content
    assert slots.json()[0]["starts_at"].startswith(f"{monday.isoformat()}T08:00")
    preview = desk.post(f"/courses/{course['id']}/appointments/preview", {"start": str(monday)})
    assert preview.status_code == 200, preview.content
    assert len(preview.json()) == 6
    assert not Appointment.objects.exists()
    booked = desk.post(f"/courses/{course['id']}/appointments", {"start": str(monday)})
    assert booked.status_code == 201, booked.content
    assert [b["starts_at"] for b in booked.json()] == [
        p["slot"]["starts_at"] for p in preview.json()
    ]
    day = desk.get("/appointments", data={"on": monday.isoformat()}).json()
    assert [a["patient"] for a in day] == [str(world.patient.pk)]
    first = day[0]
    moved = desk.post(f"/appointments/{first['id']}/move",
                      {"version": 1, "starts_at": at(monday, 8),
                       "place": str(places["Chair 2"].pk)})  # fmt: skip
    assert moved.status_code == 200, moved.content
    assert moved.json()["place"] == str(places["Chair 2"].pk)
    assert desk.post(f"/appointments/{first['id']}/move",
                     {"version": 1, "starts_at": at(monday, 10)}).status_code == 409  # fmt: skip
    arrived = desk.post(f"/appointments/{first['id']}/state", {"version": 2, "state": "arrived"})
    assert arrived.status_code == 200, arrived.content
    last = booked.json()[-1]
    cancelled = desk.post(f"/appointments/{last['id']}/cancel",
                          {"version": 1, "reason": "moving to another city"})  # fmt: skip
    assert cancelled.json()["state"] == "cancelled"
    mine = world.api("patient").get(f"/patients/{world.own_patient.pk}/appointments")
    assert mine.status_code == 200
    assert mine.json() == []
    theirs = world.api("nurse").get(f"/patients/{world.patient.pk}/appointments").json()
    assert len(theirs) == 6


def test_bad_bookings_name_the_field(world: World) -> None:
    course, places = _course_and_places(world)
    desk = world.api("front_desk")
    monday = next_monday()
    scheduled = next(s for s in course["schedule"] if s["kind"] == "dosing")
    body = {"kind": "dosing", "starts_at": at(monday, 17).isoformat(),
            "place": str(places["Chair 1"].pk), "staff": [str(world.users["nurse"].pk)],
            "scheduled": scheduled["id"]}  # fmt: skip
    path = f"/patients/{world.patient.pk}/appointments"
    late = desk.post(path, body)
    assert late.status_code == 422
    assert late.json()["detail"][0]["loc"][-1] == "starts_at"
    assert "closed" in late.json()["detail"][0]["msg"]
    naive = desk.post(path, {**body, "starts_at": f"{monday}T09:00:00"})
    assert naive.status_code == 422
    nowhere = desk.post(path, {**body, "starts_at": at(monday, 9).isoformat(),
                               "place": str(world.other_clinic.pk)})  # fmt: skip
    assert nowhere.json()["detail"][0]["loc"][-1] == "place"
    stranger = desk.post(path, {**body, "starts_at": at(monday, 9).isoformat(),
                                "staff": [str(world.users["other_clinic_nurse"].pk)]})  # fmt: skip
    assert stranger.json()["detail"][0]["loc"][-1] == "staff"
    good = {**body, "starts_at": at(monday, 9).isoformat()}
    assert world.api("patient").post(path, good).status_code == 404  # another's chart
    assert world.api("admin").post(path, good).status_code == 403
    own = f"/patients/{world.own_patient.pk}/appointments"
    assert world.api("patient").post(own, good).status_code == 403  # patients do not book
    assert world.api("other_clinic_nurse").post(path, good).status_code == 404
    assert world.api(None).post(path, good).status_code == 401
    made = desk.post(path, good)
    assert made.status_code == 201, made.content
    assert made.json()["ends_at"].startswith(f"{monday}T10:40")
    appointment = made.json()["id"]
    for role, status in (("patient", 404), ("other_clinic_nurse", 404), ("admin", 403)):
        response = world.api(role).post(
            f"/appointments/{appointment}/cancel", {"version": 1, "reason": "not theirs to cancel"}
        )
        assert response.status_code == status, role
    assert world.api("admin").get(f"/patients/{world.patient.pk}/appointments").status_code == 403
    assert world.api("patient").get("/appointments", data={"on": str(monday)}).status_code == 403
