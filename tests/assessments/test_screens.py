"""Measurement screens: chart section, chart image, rating form, portal, dashboard,
instruments page; each with its denials."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments import actions
from ketamine_clinic.assessments.models import Assessment, SafetyAlert
from ketamine_clinic.clinical.instruments import BUILTIN
from ketamine_clinic.patients.access import PatientAccess
from tests.conftest import World


def record(
    world: World, total_per_item: int, item9: int = 0, day: int = 5, context: str = "weekly"
) -> actions.Recorded:
    answers = {str(n): total_per_item for n in range(1, 9)} | {"9": item9}
    return actions.record_assessment(
        Actor(user=world.users["nurse"], via="cli"),
        PatientAccess(world.patient, Role.NURSE),
        BUILTIN["phq9"],
        answers,
        datetime(2026, 1, day, 9, tzinfo=UTC),
        context,
    )


def test_measurements_section_and_chart_image(world: World) -> None:
    record(world, 2, context="baseline", day=1)
    record(world, 1, day=8)
    client = world.client("prescriber")
    section = client.get(f"/patients/{world.patient.pk}/measurements/")
    html = section.content.decode()
    assert section.status_code == 200
    assert "PHQ-9" in html
    assert 'data-status="response"' in html
    assert "baseline 16 → 8 (-50.0%)" in html
    image = client.get(f"/patients/{world.patient.pk}/measurements/phq9.svg")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert image.content.startswith(b"<svg")
    assert image["Cache-Control"] == "no-store"
    assert client.get(f"/patients/{world.patient.pk}/measurements/gad7.svg").status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("front_desk", 403), ("other_clinic_nurse", 404)])
def test_measurements_denied(world: World, persona: str, status: int) -> None:
    record(world, 1)
    client = world.client(persona)
    assert client.get(f"/patients/{world.patient.pk}/measurements/").status_code == status
    assert client.get(f"/patients/{world.patient.pk}/measurements/phq9.svg").status_code == status


def test_staff_rating_form(world: World) -> None:
    client = world.client("nurse")
    url = f"/patients/{world.patient.pk}/assessments/new/madrs/"
    assert b"Apparent sadness" in client.get(url).content
    answers = {f"item_{n}": 3 for n in range(1, 11)}
    response = client.post(
        url, {**answers, "administered_at": "2026-01-05T09:00", "context": "weekly"}
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.instrument_id, assessment.total, assessment.band_code) == (
        "madrs",
        30,
        "moderate",
    )
    incomplete = client.post(
        url, {"item_1": 3, "administered_at": "2026-01-05T09:00", "context": "weekly"}
    )
    assert incomplete.status_code == 200
    assert re.search(rb"[A-Z][^<]* is required\.", incomplete.content)  # names its item
    future = client.post(
        url, {**answers, "administered_at": "2999-01-05T09:00", "context": "weekly"}
    )
    assert b"must not be in the future" in future.content
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("front_desk", 403), ("admin", 403), ("patient", 404), ("other_clinic_nurse", 404)],
)
def test_staff_rating_form_denied(world: World, persona: str, status: int) -> None:
    assert (
        world.client(persona).get(f"/patients/{world.patient.pk}/assessments/new/phq9/").status_code
        == status
    )


def test_unknown_instrument_form_is_404(world: World) -> None:
    assert (
        world.client("nurse").get(f"/patients/{world.patient.pk}/assessments/new/beck/").status_code
        == 404
    )


def test_portal_fill_in_and_crisis_page(world: World) -> None:
    client = world.client("patient")
    listing = client.get("/me/questionnaires/")
    assert b"PHQ-9" in listing.content
    assert b"MADRS" not in listing.content
    answers = {f"item_{n}": 0 for n in range(1, 10)}
    thanks = client.post("/me/questionnaires/phq9/", answers)
    assert b"Thank you" in thanks.content
    crisis = client.post("/me/questionnaires/phq9/", answers | {"item_9": 1})
    assert b"help is available now" in crisis.content
    assert SafetyAlert.objects.filter(patient=world.own_patient).count() == 1
    assert Assessment.objects.filter(patient=world.own_patient, source="portal").count() == 2
    assert client.get("/me/questionnaires/madrs/").status_code == 404


def test_portal_is_only_for_patients(world: World) -> None:
    assert world.client("nurse").get("/me/questionnaires/").status_code == 403
    assert world.client("nurse").get("/me/questionnaires/phq9/").status_code == 403
    assert Client().get("/me/questionnaires/").status_code == 302


def test_crisis_text_is_the_clinics(world: World) -> None:
    world.clinic.crisis_phone = "116123"
    world.clinic.crisis_text = "Call Samaritans free on 116 123 (UK and Ireland)."
    world.clinic.save()
    answers = {f"item_{n}": 0 for n in range(1, 10)} | {"item_9": 2}
    crisis = world.client("patient").post("/me/questionnaires/phq9/", answers)
    assert b"Samaritans" in crisis.content
    assert b'href="tel:116123"' in crisis.content


def test_dashboard_lists_open_alerts_and_due_patients(world: World) -> None:
    recorded = record(world, 1, item9=1)
    client = world.client("prescriber")
    page = client.get("/dashboard/").content.decode()
    assert "Thoughts of death or self-harm" in page
    assert "Walker, James" in page
    assert "never (baseline needed)" in page  # Ms. Chen has no self-report yet
    alert = recorded.alerts[0]
    response = client.post(
        f"/alerts/{alert.pk}/acknowledge/", {"action_note": "Phoned; safe; plan made"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.users["prescriber"]
    assert "Thoughts of death" not in client.get("/dashboard/").content.decode()


def test_acknowledge_without_a_note_is_refused(world: World) -> None:
    alert = record(world, 1, item9=1).alerts[0]
    world.client("nurse").post(f"/alerts/{alert.pk}/acknowledge/", {"action_note": ""})
    alert.refresh_from_db()
    assert alert.is_open


@pytest.mark.parametrize(
    ("persona", "page", "ack"),
    [
        ("front_desk", 403, 403),
        ("patient", 403, 404),
        ("other_clinic_nurse", 200, 404),
        ("admin", 200, 403),
    ],
)
def test_dashboard_and_acknowledge_denied(world: World, persona: str, page: int, ack: int) -> None:
    alert = record(world, 1, item9=1).alerts[0]
    client = world.client(persona)
    response = client.get("/dashboard/")
    assert response.status_code == page
    if page == 200:
        assert "Thoughts of death" not in response.content.decode() or persona == "admin"
    assert (
        client.post(
            f"/alerts/{alert.pk}/acknowledge/", {"action_note": "did something"}
        ).status_code
        == ack
    )
    alert.refresh_from_db()
    assert alert.is_open


def test_questionnaire_link_screen(world: World) -> None:
    client = world.client("front_desk")
    url = f"/patients/{world.patient.pk}/assessments/link/"
    assert client.get(url).status_code == 200
    made = client.post(url, {"instrument": "phq9", "context": "24h", "expires_in_hours": "24"})
    assert b"/q/q_" in made.content
    assert world.client("patient").get(url).status_code == 404
    assert world.client("admin").get(url).status_code == 403


def test_admin_loads_an_instrument_file(world: World) -> None:
    client = world.client("admin")
    assert b"Load an instrument" in client.get("/instruments/").content
    definition = {
        "id": "clinic-screen",
        "version": "1",
        "name": "Screen",
        "short_name": "Screen",
        "respondent": "patient",
        "items": [{"id": "q1", "text": "Q1", "max": 3}],
    }
    upload = io.BytesIO(json.dumps(definition).encode())
    upload.name = "screen.json"
    assert client.post("/instruments/", {"definition": upload}).status_code == 302
    assert b"clinic-screen" in client.get("/instruments/").content
    bad = io.BytesIO(b"{not json")
    bad.name = "bad.json"
    assert b"not valid JSON" in client.post("/instruments/", {"definition": bad}).content
    invalid = io.BytesIO(json.dumps({**definition, "version": "2", "items": []}).encode())
    invalid.name = "invalid.json"
    assert (
        b"items: List should have at least 1 item"
        in client.post("/instruments/", {"definition": invalid}).content
    )


@pytest.mark.parametrize("persona", ["prescriber", "nurse", "front_desk", "patient"])
def test_instruments_page_is_for_admins(world: World, persona: str) -> None:
    assert world.client(persona).get("/instruments/").status_code == 403


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("prescriber", True),
        ("nurse", True),
        ("admin", True),
        ("front_desk", False),
        ("patient", False),
        ("other_clinic_nurse", False),
    ],
)
def test_an_open_alert_shows_on_every_screen_for_those_who_answer_it(
    world: World, persona: str, sees: bool
) -> None:
    client = world.client(persona)
    start = "/" if persona != "patient" else "/me/"
    assert 'id="alert-badge"' not in client.get(start, follow=True).content.decode()
    record(world, 1, item9=1)
    page = client.get(start, follow=True).content.decode()
    assert ('id="alert-badge"' in page) is sees
    if sees:
        assert BADGE.search(page), "the badge reads '1 open safety alert'"


# "1 alert" on a tablet's narrow bar, "1 open safety alert" wherever there is room.
BADGE = re.compile(
    r'id="alert-badge"[^>]*><span>1 <span class="[^"]*">open safety </span>alert</span><'
)


def test_after_login_staff_land_on_open_alerts_until_they_are_answered(world: World) -> None:
    client = world.client("prescriber")
    assert client.get("/").url == "/patients/"
    alert = record(world, 1, item9=1).alerts[0]
    assert client.get("/").url == "/dashboard/"
    page = client.get("/patients/").content.decode()
    assert BADGE.search(page)
    client.post(f"/alerts/{alert.pk}/acknowledge/", {"action_note": "Phoned; safe; plan made"})
    assert client.get("/").url == "/patients/"
    assert 'id="alert-badge"' not in client.get("/patients/").content.decode()
