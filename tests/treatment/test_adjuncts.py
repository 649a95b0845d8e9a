"""Psychotherapy, preparation and integration sessions in the course plan, scheduled beside the
dosing sessions and recorded when they take place; and dosing sessions recorded as given."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.evaluations.notes.actions import write_note
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.treatment.models import ScheduledSession
from tests.conftest import World
from tests.factories.courses import next_monday, open_every_day, open_gate, order


def kinds(schedule: list[dict[str, Any]], kind: str) -> list[date]:
    return [date.fromisoformat(s["on"]) for s in schedule if s["kind"] == kind]


def test_integration_sessions_follow_every_second_dose(world: World) -> None:
    body = order(world, integration_every=2).json()
    dosing = kinds(body["schedule"], "dosing")
    integration = kinds(body["schedule"], "integration")
    assert len(dosing) == 6
    assert len(integration) == 3
    for n, day in enumerate(integration, start=1):
        dose = dosing[2 * n - 1]
        assert day > dose
        assert day.weekday() < 5  # Monday to Friday, the default calendar
        assert (day - dose).days <= 3  # the next open day, a weekend at most between


def test_plan_an_adjunct_session(world: World) -> None:
    course = order(world).json()
    monday = next_monday()
    desk = world.api("front_desk")
    added = desk.post(
        f"/courses/{course['id']}/adjunct-sessions",
        {"kind": "psychotherapy", "on": monday.isoformat(), "note": "Dr Okafor, room 2"},
    )
    assert added.status_code == 201, added.content
    assert added.json()["kind"] == "psychotherapy"
    assert added.json()["note"] == "Dr Okafor, room 2"
    sunday = (monday - timedelta(days=1)).isoformat()
    closed = desk.post(
        f"/courses/{course['id']}/adjunct-sessions", {"kind": "integration", "on": sunday}
    )
    assert closed.status_code == 422
    assert closed.json()["detail"][0]["loc"][-1] == "on"
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert (
        desk.post(
            f"/courses/{course['id']}/adjunct-sessions", {"kind": "integration", "on": past}
        ).status_code
        == 422
    )
    dosing = desk.post(
        f"/courses/{course['id']}/adjunct-sessions",
        {"kind": "dosing", "on": monday.isoformat()},
    )
    assert dosing.status_code == 422
    schedule = world.api("patient").get(f"/patients/{world.own_patient.pk}/schedule")
    assert schedule.status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 401),
        ("patient", 404),
        ("admin", 403),
        ("other_clinic_nurse", 404),
        ("nurse", 201),
        ("front_desk", 201),
        ("prescriber", 201),
    ],
)
def test_who_plans_adjunct_sessions(world: World, persona: str | None, status: int) -> None:
    course = order(world).json()
    response = world.api(persona).post(
        f"/courses/{course['id']}/adjunct-sessions",
        {"kind": "integration", "on": next_monday().isoformat()},
    )
    assert response.status_code == status
    assert ScheduledSession.objects.filter(kind="integration").exists() == (status == 201)


def test_an_adjunct_session_moves_freely_between_doses(world: World) -> None:
    course = order(world, integration_every=1).json()
    first_dose = kinds(course["schedule"], "dosing")[0]
    integration = next(s for s in course["schedule"] if s["kind"] == "integration")
    desk = world.api("front_desk")
    # The same day as a dose is fine for an adjunct session; dosing spacing is not its rule.
    moved = desk.post(
        f"/schedule/{integration['id']}/move", {"version": 1, "on": first_dose.isoformat()}
    )
    assert moved.status_code == 200, moved.content
    saturday = first_dose + timedelta(days=5)
    closed = desk.post(
        f"/schedule/{integration['id']}/move", {"version": 2, "on": saturday.isoformat()}
    )
    assert closed.status_code == 422


def test_recording_an_adjunct_session_with_its_note(world: World) -> None:
    open_every_day(world)
    course = order(world, start_on=timezone.localdate().isoformat()).json()
    today = timezone.localdate().isoformat()
    api = world.api("nurse")
    added = api.post(
        f"/courses/{course['id']}/adjunct-sessions", {"kind": "integration", "on": today}
    ).json()
    later = api.post(
        f"/courses/{course['id']}/adjunct-sessions",
        {"kind": "integration", "on": (timezone.localdate() + timedelta(days=3)).isoformat()},
    ).json()
    future = api.post(f"/schedule/{later['id']}/done", {"version": 1, "note": "went well"})
    assert future.status_code == 409
    note = write_note(
        Actor(user=world.users["nurse"]),
        PatientAccess(world.patient, Role.NURSE),
        "integration",
        "Integration after the first infusion",
        "Talked through the experience.",
        timezone.localdate(),
    )
    other_note = write_note(
        Actor(user=world.users["nurse"]),
        PatientAccess(world.own_patient, Role.NURSE),
        "integration",
        "Someone else's",
        "Not this patient.",
        timezone.localdate(),
    )
    desk = world.api("front_desk")
    hidden = desk.post(
        f"/schedule/{added['id']}/done",
        {"version": 1, "note": "attended", "clinical_note": str(note.pk)},
    )
    assert hidden.status_code == 403  # front desk does not read clinical notes
    wrong = api.post(
        f"/schedule/{added['id']}/done",
        {"version": 1, "note": "attended", "clinical_note": str(other_note.pk)},
    )
    assert wrong.status_code == 422
    done = api.post(
        f"/schedule/{added['id']}/done",
        {"version": 1, "note": "attended", "clinical_note": str(note.pk)},
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "done"
    assert done.json()["clinical_note"] == str(note.pk)


def test_a_dose_is_recorded_as_given_only_under_a_signed_order(world: World) -> None:
    open_every_day(world)
    course = order(world, start_on=timezone.localdate().isoformat()).json()
    first = course["schedule"][0]
    assert first["on"] == timezone.localdate().isoformat()
    nurse = world.api("nurse")
    unsigned = nurse.post(f"/schedule/{first['id']}/done", {"version": 1, "note": "given"})
    assert unsigned.status_code == 409
    assert "no signed order" in unsigned.json()["detail"]
    open_gate(world)
    world.api("prescriber").post(f"/orders/{course['orders'][0]['id']}/sign", {"version": 1})
    desk = world.api("front_desk").post(
        f"/schedule/{first['id']}/done", {"version": 1, "note": "given"}
    )
    assert desk.status_code == 403
    given = nurse.post(f"/schedule/{first['id']}/done", {"version": 1, "note": "given"})
    assert given.status_code == 200, given.content
    assert given.json()["state"] == "done"


def test_maintenance_keeps_the_adjunct_sessions(world: World) -> None:
    open_gate(world)
    api = world.api("prescriber")
    course = order(world, integration_every=3).json()
    api.post(f"/orders/{course['orders'][0]['id']}/sign", {"version": 1})
    current = api.get(f"/courses/{course['id']}").json()
    body = api.post(f"/courses/{course['id']}/maintenance", {"version": current["version"]}).json()
    integration = [s for s in body["schedule"] if s["kind"] == "integration"]
    assert len(integration) == 2
    assert all(s["state"] == "planned" for s in integration)
    assert {s["state"] for s in body["schedule"] if s["phase"] == "induction"} >= {"cancelled"}


def test_the_course_page_shows_and_adds_adjunct_sessions(world: World) -> None:
    course = order(world, integration_every=2).json()
    client = world.client("front_desk")
    # Front desk reaches the schedule through the API; the course page is clinical.
    assert client.get(f"/courses/{course['id']}/").status_code == 403
    nurse = world.client("nurse")
    page = nurse.get(f"/courses/{course['id']}/").content.decode()
    assert page.count('data-session-kind="integration"') == 3
    added = nurse.post(
        f"/courses/{course['id']}/adjunct/",
        {"kind": "psychotherapy", "on": next_monday().isoformat(), "note": "weekly therapy"},
        follow=True,
    )
    assert "Session added to the plan" in added.content.decode()
    assert 'data-session-kind="psychotherapy"' in added.content.decode()
    refused = nurse.post(
        f"/courses/{course['id']}/adjunct/",
        {"kind": "psychotherapy", "on": (next_monday() - timedelta(days=1)).isoformat()},
        follow=True,
    )
    assert "closed on" in refused.content.decode()


def test_the_patient_sees_their_coming_sessions_without_doses(world: World) -> None:
    from ketamine_clinic.treatment.models import Course

    api = world.api("prescriber")
    mine = api.post(
        f"/patients/{world.own_patient.pk}/courses",
        {
            "protocol": "iv-racemic-standard",
            "dose_mg_per_kg": "0.5",
            **world.infusion(),
            "start_on": next_monday().isoformat(),
            "integration_every": 3,
        },
    ).json()
    order(world)  # James Walker's course: never shown to Ms. Chen
    client = world.client("patient")
    draft = client.get("/me/questionnaires/").content.decode()
    assert "None planned" in draft  # an unsigned course is not a plan yet
    Course.objects.filter(pk=mine["id"]).update(state="active")
    page = client.get("/me/questionnaires/").content.decode()
    assert page.count(": dosing session</li>") == 6
    assert page.count(": integration session</li>") == 2
    assert "mg" not in page.split('id="my-sessions"')[1].split("</ul>")[0]
