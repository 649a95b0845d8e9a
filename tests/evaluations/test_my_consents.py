"""The portal keeps the consent's promise: a patient reads each consent as signed and
withdraws it there, with a reason; the next dose is then refused until a new consent."""

from __future__ import annotations

import pytest
from django.test import Client

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.evaluations.consent.models import Consent
from tests.conftest import World
from tests.evaluations.test_api import publish

pytestmark = pytest.mark.django_db


def signed(world: World) -> Consent:
    response = world.api("nurse").post(
        f"/patients/{world.own_patient.pk}/consents",
        {"document": publish(world), "signed_name": "Mei Chen", "signature_typed": "Mei Chen"},
    )
    assert response.status_code == 201, response.content
    return Consent.objects.get(pk=response.json()["id"])


def test_a_patient_reads_and_withdraws_their_consent_in_the_portal(world: World) -> None:
    consent = signed(world)
    client = world.client("patient")
    assert "/me/consents/" in client.get("/patients/me/").content.decode()
    page = client.get("/me/consents/").content.decode()
    assert "IV racemic ketamine" in page
    assert "In effect" in page
    assert client.get(f"/consents/{consent.pk}/consent.pdf").content.startswith(b"%PDF")
    # A reason is asked for; the form keeps what was typed and says what is missing.
    empty = client.post("/me/consents/", {"consent": str(consent.pk), "reason": ""})
    assert empty.status_code == 200
    assert "Please say why" in empty.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    done = client.post("/me/consents/", {"consent": str(consent.pk), "reason": "I want to stop"},
                       follow=True)  # fmt: skip
    assert "Your consent is withdrawn" in done.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_reason == "I want to stop"
    assert consent.withdrawn_by == world.users["patient"]
    assert "Withdrawn" in client.get("/me/consents/").content.decode()
    gate = world.api("nurse").get(f"/patients/{world.own_patient.pk}/eligibility").json()
    assert "an active signed consent for IV racemic ketamine" in gate["missing"]
    assert AccessLog.objects.filter(what="consent.withdraw", patient_id=world.own_patient.pk,
                                    role="patient").exists()  # fmt: skip


def test_a_patient_cannot_withdraw_someone_elses_consent(world: World) -> None:
    other = (
        world.api("nurse")
        .post(
            f"/patients/{world.patient.pk}/consents",
            {"document": publish(world), "signed_name": "James Walker", "signature_typed": "JW"},
        )
        .json()
    )
    answer = world.client("patient").post("/me/consents/", {"consent": other["id"],
                                                            "reason": "not mine"})  # fmt: skip
    assert answer.status_code == 404
    assert Consent.objects.get(pk=other["id"]).withdrawn_at is None


@pytest.mark.parametrize("persona", ["nurse", "front_desk", "prescriber", "admin"])
def test_the_page_is_for_patients(world: World, persona: str) -> None:
    assert world.client(persona).get("/me/consents/").status_code == 403


def test_no_login_is_sent_to_log_in() -> None:
    assert Client().get("/me/consents/")["Location"].startswith("/login/")
