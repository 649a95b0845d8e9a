"""Courses: ordering, the signed order behind the treatment gate, schedule changes,
maintenance, dose changes; with their denials."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession
from tests.conftest import World
from tests.factories.courses import COURSE, next_monday, open_gate, order


def test_order_plans_the_induction_and_waits_for_a_signature(world: World) -> None:
    response = order(world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert len(body["schedule"]) == 6
    dates = [date.fromisoformat(s["on"]) for s in body["schedule"]]
    assert dates[0] == next_monday()
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(dates))
    (first,) = body["orders"]
    assert first["calculation"]["dose_mg"] == "35.0"
    assert first["calculation"]["rate_ml_per_h"] == "75.0"
    assert first["stock_product"] == str(world.vial().pk)
    assert (first["concentration_mg_per_ml"], first["final_volume_ml"]) == ("10.000", "50.0")
    assert first["signed_at"] is None


def test_signing_is_behind_the_treatment_gate(world: World) -> None:
    body = order(world).json()
    order_id = body["orders"][0]["id"]
    api = world.api("prescriber")
    refused = api.post(f"/orders/{order_id}/sign", {"version": 1})
    assert refused.status_code == 409
    assert (
        "still needs a signed evaluation; an active signed consent for IV racemic ketamine"
        in refused.json()["detail"]
    )
    open_gate(world)
    signed = api.post(f"/orders/{order_id}/sign", {"version": 1})
    assert signed.status_code == 200
    assert api.get(f"/courses/{body['id']}").json()["state"] == "active"
    assert api.post(f"/orders/{order_id}/sign", {"version": 2}).status_code == 409


def test_an_order_outside_the_protocol_needs_its_reason_to_be_signed(world: World) -> None:
    open_gate(world)
    api = world.api("prescriber")
    high = order(world, dose_mg_per_kg="1.2").json()
    refused = api.post(f"/orders/{high['orders'][0]['id']}/sign", {"version": 1})
    assert refused.status_code == 409
    assert "needs an override reason" in refused.json()["detail"]
    justified = order(
        world, dose_mg_per_kg="1.2", override_reason="no response after four at 1.0"
    ).json()
    assert (
        api.post(f"/orders/{justified['orders'][0]['id']}/sign", {"version": 1}).status_code == 200
    )
    assert (
        order(world, dose_mg_per_kg="2.0", override_reason="a long enough reason").status_code
        == 422
    )


def test_dose_change_is_a_new_order(world: World) -> None:
    open_gate(world)
    api = world.api("prescriber")
    course = order(world).json()
    api.post(f"/orders/{course['orders'][0]['id']}/sign", {"version": 1})
    change = api.post(
        f"/courses/{course['id']}/orders",
        {"dose_mg_per_kg": "0.75", **world.infusion()},
    )
    assert change.status_code == 201
    assert change.json()["calculation"]["dose_mg"] == "52.5"
    orders = api.get(f"/courses/{course['id']}").json()["orders"]
    assert {o["calculation"]["dose_mg"] for o in orders} == {"35.0", "52.5"}
    assert DoseOrder.objects.filter(signed_at__isnull=False).count() == 1


def test_moves_cancellations_and_missed_sessions(world: World) -> None:
    course = order(world).json()
    first, second = course["schedule"][0], course["schedule"][1]
    desk = world.api("front_desk")
    too_close = desk.post(f"/schedule/{second['id']}/move", {"version": 1, "on": first["on"]})
    assert too_close.status_code == 422
    assert "less than 48 hours" in too_close.json()["detail"][0]["msg"]
    last = date.fromisoformat(course["schedule"][-1]["on"])  # a Friday
    later = (last + timedelta(days=3)).isoformat()  # the Monday after the induction
    moved = desk.post(f"/schedule/{second['id']}/move", {"version": 1, "on": later})
    assert moved.status_code == 200, moved.content
    assert moved.json()["moved_from"] == second["on"]
    assert (
        desk.post(f"/schedule/{second['id']}/move", {"version": 1, "on": later}).status_code == 409
    )
    cancelled = desk.post(
        f"/schedule/{first['id']}/cancel", {"version": 1, "note": "patient unwell"}
    )
    assert cancelled.json()["state"] == "cancelled"
    again = desk.post(f"/schedule/{first['id']}/missed", {"version": 2, "note": "no show"})
    assert again.status_code == 409


def test_move_to_maintenance(world: World) -> None:
    open_gate(world)
    api = world.api("prescriber")
    course = order(world).json()
    api.post(f"/orders/{course['orders'][0]['id']}/sign", {"version": 1})
    current = api.get(f"/courses/{course['id']}").json()
    moved = api.post(f"/courses/{course['id']}/maintenance", {"version": current["version"]})
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["phase"] == "maintenance weekly"
    states = {(s["phase"], s["state"]) for s in body["schedule"]}
    assert ("induction", "cancelled") in states
    assert ("maintenance weekly", "planned") in states
    assert ("maintenance every 2 weeks", "planned") in states


def test_bad_course_input(world: World) -> None:
    assert order(world, protocol="magic").status_code == 422
    past = order(world, start_on=(timezone.localdate() - timedelta(days=1)).isoformat())
    assert past.json()["detail"][0]["loc"][-1] == "start_on"
    assert (
        order(world, concentration_mg_per_ml="10").json()["detail"][0]["loc"][-1]
        == "concentration_mg_per_ml"
    )
    assert order(world, final_volume_ml="15").json()["detail"][0]["loc"][-1] == "final_volume_ml"
    assert Course.objects.count() == 0
    assert ScheduledSession.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "create", "schedule"),
    [
        ("prescriber", 201, 200),
        ("nurse", 403, 200),
        ("front_desk", 403, 200),
        ("admin", 403, 403),
        ("patient", 404, 404),
        ("other_clinic_nurse", 404, 404),
        (None, 401, 401),
    ],
)
def test_course_permissions(world: World, role: str | None, create: int, schedule: int) -> None:
    api = world.api(role)
    assert (
        api.post(
            f"/patients/{world.patient.pk}/courses",
            {**COURSE, **world.infusion(), "start_on": next_monday().isoformat()},
        ).status_code
        == create
    )
    assert api.get(f"/patients/{world.patient.pk}/schedule").status_code == schedule


def test_patient_sees_own_schedule_without_doses(world: World) -> None:
    world.api("prescriber").post(
        f"/patients/{world.own_patient.pk}/courses",
        {**COURSE, **world.infusion(), "start_on": next_monday().isoformat()},
    )
    body = world.api("patient").get(f"/patients/{world.own_patient.pk}/schedule").json()
    assert len(body) == 6
    assert "dose_mg" not in str(body)
    assert world.api("patient").get(f"/patients/{world.own_patient.pk}/courses").status_code == 200


@pytest.mark.parametrize(
    ("role", "status"), [("nurse", 403), ("front_desk", 403), ("other_clinic_nurse", 404)]
)
def test_only_prescribers_sign_or_change_orders(world: World, role: str, status: int) -> None:
    course = order(world).json()
    api = world.api(role)
    assert (
        api.post(f"/orders/{course['orders'][0]['id']}/sign", {"version": 1}).status_code == status
    )
    assert (
        api.post(f"/courses/{course['id']}/orders", {"dose_mg_per_kg": "0.6"}).status_code == status
    )
    assert api.post(f"/courses/{course['id']}/maintenance", {"version": 1}).status_code == status


@pytest.mark.parametrize(
    ("role", "read", "move"),
    [
        ("prescriber", 200, 200),
        ("nurse", 200, 200),
        ("front_desk", 403, 200),
        ("admin", 200, 403),
        ("other_clinic_nurse", 404, 404),
        (None, 401, 401),
    ],
)
def test_course_reads_and_schedule_changes_by_role(
    world: World, role: str | None, read: int, move: int
) -> None:
    course = order(world).json()
    api = world.api(role)
    assert api.get(f"/courses/{course['id']}").status_code == read
    assert api.get(f"/patients/{world.patient.pk}/courses").status_code == read
    session = course["schedule"][-1]
    later = (date.fromisoformat(session["on"]) + timedelta(days=3)).isoformat()
    assert (
        api.post(f"/schedule/{session['id']}/move", {"version": 1, "on": later}).status_code == move
    )
    expected_mark = 409 if move == 200 else move  # after a successful move the version is stale
    assert (
        api.post(f"/schedule/{session['id']}/cancel", {"version": 1, "note": "unwell"}).status_code
        == expected_mark
    )


def test_the_plan_keeps_to_the_clinics_calendar(world: World) -> None:
    monday = next_monday()
    world.clinic.open_weekdays = [0, 2, 4]
    world.clinic.closed_dates = [(monday + timedelta(days=2)).isoformat()]  # that Wednesday
    world.clinic.save()
    body = order(world).json()
    dates = [date.fromisoformat(s["on"]) for s in body["schedule"]]
    assert dates[:3] == [monday, monday + timedelta(days=4), monday + timedelta(days=7)]
    assert all(d.weekday() in (0, 2, 4) for d in dates)
