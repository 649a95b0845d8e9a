"""Patient screens: list, search, chart, register, edit, entered in error; denials beside each."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.patients.models import BodyMeasurement, Patient, TreatmentTrial
from tests.conftest import World, register

REGISTRATION = {
    "given_name": "Laura",
    "family_name": "Fischer",
    "birth_date": "1969-11-30",
    "sex": "female",
    "weight_kg": "58.2",
    "height_cm": "161",
}


def test_list_and_htmx_search(world: World) -> None:
    client = world.client("front_desk")
    page = client.get("/patients/")
    assert page.status_code == 200
    assert b"Chen, Mei" in page.content
    assert b"Walker, James" in page.content
    assert b"Haddad" not in page.content  # clinic B
    partial = client.get("/patients/", {"q": "walker"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert b"Walker, James" in partial.content
    assert b"Chen, Mei" not in partial.content
    assert page["Cache-Control"] == "no-store"
    for patient in (world.own_patient, world.patient):  # each row opens its own chart
        link = f'<a href="/patients/{patient.pk}/">{patient.family_name}, {patient.given_name}</a>'
        assert link in page.content.decode()


def test_list_query_budget_does_not_grow_with_patients(world: World) -> None:
    client = world.client("nurse")
    client.get("/patients/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/patients/")
    for n in range(15):
        register(world.users["front_desk"], world.clinic, f"Extra{n}", "Person")
    with CaptureQueriesContext(connection) as many:
        client.get("/patients/")
    assert len(many) == len(few)
    assert len(few) <= 12


def test_chart_query_budget(world: World) -> None:
    client = world.client("prescriber")
    client.get(f"/patients/{world.patient.pk}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/patients/{world.patient.pk}/").status_code == 200
    assert len(queries) <= 9, [q["sql"][:60] for q in queries]


@pytest.mark.parametrize("persona", ["front_desk", "prescriber"])
def test_chart_heads_with_the_latest_weight_in_force(world: World, persona: str) -> None:
    """The newest active weight with its date, whatever the role (the front desk sees no
    measurement section, the prescriber does): an older one and one entered in error are
    passed over."""
    now = timezone.now()  # after the patient's registration weight
    for kg, at, status in (
        (71, now - timedelta(days=30), "active"),
        (72, now, "active"),
        (99, now + timedelta(seconds=1), "entered_in_error"),
    ):
        BodyMeasurement.objects.create(
            patient=world.patient, kind="weight_kg", value=Decimal(kg), status=status,
            measured_at=at, created_by=world.users["nurse"],
        )  # fmt: skip
    html = world.client(persona).get(f"/patients/{world.patient.pk}/").content.decode()
    header = html[html.index(">Weight<") :][:300]
    shown = date_format(timezone.localtime(now))  # "6 Dec 2026", as every screen writes it
    assert f'72 kg <span class="text-body-secondary small">({shown})' in header


@pytest.mark.parametrize("persona", ["patient", "other_clinic_nurse"])
def test_list_denied(world: World, persona: str) -> None:
    response = world.client(persona).get("/patients/")
    if persona == "patient":
        assert response.status_code == 403
    else:  # clinic B's nurse sees clinic B's list, never clinic A's patients
        assert b"Chen" not in response.content
        assert b"Haddad" in response.content


def test_pages_need_login(world: World) -> None:
    for url in ["/patients/", f"/patients/{world.patient.pk}/", "/patients/new/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_chart_shows_clinical_sections_to_clinicians_only(world: World) -> None:
    chart = f"/patients/{world.patient.pk}/"
    clinician = world.client("nurse").get(chart).content.decode()
    assert "Treatment history" in clinician
    desk = world.client("front_desk").get(chart).content.decode()
    assert "Treatment history" not in desk
    assert "Clinical information is not shown to your role" in desk
    assert world.client("other_clinic_nurse").get(chart).status_code == 404
    assert world.client("patient").get(chart).status_code == 404
    own = world.client("patient").get(f"/patients/{world.own_patient.pk}/")
    assert own.status_code == 200
    assert b"Edit details" not in own.content


def test_register_through_the_form(world: World) -> None:
    client = world.client("front_desk")
    response = client.post("/patients/new/", REGISTRATION)
    patient = Patient.objects.get(family_name="Fischer")
    assert response.status_code == 302
    assert response.url == f"/patients/{patient.pk}/"
    assert AccessLog.objects.filter(patient_id=patient.pk, action="create", via="web").exists()


def test_register_form_names_bad_fields(world: World) -> None:
    client = world.client("front_desk")
    response = client.post(
        "/patients/new/", {**REGISTRATION, "weight_kg": "-3", "birth_date": "2999-01-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Weight must be at least 25 kg." in html  # the clinician's words, beside the field
    assert "Birth date: must not be in the future" in html
    assert not Patient.objects.filter(family_name="Fischer").exists()


def test_register_form_warns_about_duplicates(world: World) -> None:
    client = world.client("front_desk")
    same = {**REGISTRATION, "given_name": "Mei", "family_name": "Chen", "birth_date": "1980-05-17"}
    response = client.post("/patients/new/", same)
    assert b"same name and birth date" in response.content
    assert Patient.objects.filter(family_name="Chen").count() == 1
    response = client.post("/patients/new/", {**same, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Patient.objects.filter(family_name="Chen").count() == 2


def test_register_denied_to_patients(world: World) -> None:
    assert world.client("patient").get("/patients/new/").status_code == 403
    assert world.client("patient").post("/patients/new/", REGISTRATION).status_code == 403


def test_edit_form_and_stale_version(world: World) -> None:
    url = f"/patients/{world.patient.pk}/edit/"
    desk = world.client("front_desk")
    nurse = world.client("nurse")
    form = desk.get(url)
    assert form.status_code == 200
    base = {
        "given_name": "James",
        "family_name": "Walker",
        "birth_date": "1980-05-17",
        "sex": "male",
        "mrn": world.patient.mrn,
        "version": "1",
    }
    assert nurse.post(url, {**base, "phone": "111"}).status_code == 302
    stale = desk.post(url, {**base, "phone": "222"})
    assert stale.status_code == 200
    assert b"changed by someone else" in stale.content
    world.patient.refresh_from_db()
    assert world.patient.phone == "111"
    assert world.client("other_clinic_nurse").get(url).status_code == 404


def test_mark_registration_in_error_from_the_chart(world: World) -> None:
    url = f"/patients/{world.patient.pk}/entered-in-error/"
    assert world.client("nurse").get(url).status_code == 403
    client = world.client("front_desk")
    assert client.post(url, {"version": "1", "reason": "no"}).status_code == 200  # too short
    response = client.post(url, {"version": "1", "reason": "duplicate registration"})
    assert response.status_code == 302
    chart = client.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Entered in error." in chart
    assert "duplicate registration" in chart
    assert "Edit details" not in chart


def test_add_treatment_trial_and_mark_it_in_error(world: World) -> None:
    base = f"/patients/{world.patient.pk}/treatment-history"
    client = world.client("prescriber")
    assert client.get(f"{base}/add/").status_code == 200
    response = client.post(
        f"{base}/add/",
        {
            "kind": "antidepressant",
            "name": "Escitalopram",
            "dose_mg_per_day": "20",
            "duration_weeks": "8",
            "adequate": "true",
            "in_current_episode": "on",
            "outcome": "no_response",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content
    trial = TreatmentTrial.objects.get(patient=world.patient)
    assert trial.name == "Escitalopram"
    assert trial.adequate is True
    chart = client.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Escitalopram" in chart
    assert "No response" in chart
    link = f"{base}/{trial.pk}/entered-in-error/"  # the row's own link
    assert f'href="{link}">Mark in error' in chart
    assert client.get(link).status_code == 200
    response = client.post(link, {"version": "1", "reason": "wrong chart <b>"})
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.in_error
    chart = client.get(f"/patients/{world.patient.pk}/").content.decode()
    row = re.search(r"<tr[^>]*><td>Antidepressant</td>.*?</tr>", chart)
    assert row, chart
    assert 'class="text-decoration-line-through' in row[0]
    assert 'title="wrong chart &lt;b&gt;">Entered in error</span>' in row[0]
    assert "Mark in error" not in row[0]  # a record in error is not marked twice


def test_record_forms_respect_roles(world: World) -> None:
    base = f"/patients/{world.patient.pk}"
    assert world.client("nurse").get(f"{base}/diagnoses/add/").status_code == 403
    assert world.client("front_desk").get(f"{base}/allergies/add/").status_code == 403
    assert world.client("other_clinic_nurse").get(f"{base}/allergies/add/").status_code == 404
    assert world.client("nurse").get(f"{base}/no-such-kind/add/").status_code == 404


def test_add_record_form_refuses_bad_dates(world: World) -> None:
    response = world.client("nurse").post(
        f"/patients/{world.patient.pk}/medications/add/",
        {"name": "Lithium", "started_on": "2025-03-01", "stopped_on": "2025-01-01"},
    )
    assert response.status_code == 200
    assert b"must not be before started_on" in response.content


def test_clinic_switcher(world: World) -> None:
    from ketamine_clinic.accounts.models import Membership

    Membership.objects.create(user=world.users["nurse"], clinic=world.other_clinic, role="nurse")
    client = world.client("nurse")
    assert b"Chen, Mei" in client.get("/patients/").content
    client.post("/clinic/choose/", {"clinic": str(world.other_clinic.pk)})
    page = client.get("/patients/").content
    assert b"Haddad, Omar" in page
    assert b"Chen, Mei" not in page
    outsider = world.client("front_desk")
    assert (
        outsider.post("/clinic/choose/", {"clinic": str(world.other_clinic.pk)}).status_code == 403
    )


def test_portal_is_for_patients(world: World) -> None:
    assert world.client("nurse").get("/patients/me/").status_code == 403
    page = world.client("patient").get("/patients/me/")
    assert page.status_code == 200
    assert b"988" in page.content


def test_search_with_control_characters_is_harmless(world: World) -> None:
    client = world.client("nurse")
    assert b"Walker, James" in client.get("/patients/", {"q": "walk\x00er"}).content
    assert world.api("nurse").get("/patients", data={"q": "\x00"}).status_code == 200
