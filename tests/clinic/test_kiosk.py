"""Kiosk mode: a clinic tablet handed to the patient shows only their consent or
questionnaire, reaches no staff screen or API, and comes back with the PIN of the person it
must go back to; a consent is recorded only when the chosen witness confirms."""

from __future__ import annotations

import re

from django.test import Client

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent.models import Consent
from tests.conftest import PASSWORD, World

HAND_BACK = "/kiosk/hand-back/"


def _document(world: World) -> None:
    actor = Actor(user=world.users["prescriber"], via="web")
    consent_actions.publish_document(
        actor, world.clinic, "iv_racemic", "Consent", "The text of it, in full."
    )


def _hand_over(world: World, nurse: Client) -> None:
    start = f"/patients/{world.patient.pk}/consent/iv_racemic/tablet/"
    page = nurse.get(start).content.decode()
    assert "Hand the tablet to James Walker" in page
    assert f'<option value="{world.users["nurse"].pk}" selected>' in page  # the default
    witness = world.users["prescriber"].pk
    assert nurse.post(start, {"witness": witness}).url == "/kiosk/consent/"


def test_the_patient_signs_alone_and_the_chosen_witness_confirms(world: World) -> None:
    _document(world)
    nurse = world.client("nurse")
    _hand_over(world, nurse)
    # The tablet shows only the consent: staff screens and the API are out of reach.
    assert nurse.get("/patients/").url == "/kiosk/consent/"
    assert nurse.get(f"/patients/{world.patient.pk}/").url == "/kiosk/consent/"
    assert nurse.get("/api/v1/me").status_code == 403
    page = nurse.get("/kiosk/consent/").content.decode()
    assert "Clinic tablet" in page
    assert 'href="/patients/"' not in page  # no menu
    assert "I witnessed" not in page  # the patient does not witness themselves
    wrong = nurse.post("/kiosk/consent/", {"signed_name": "Someone Else", "signature_typed": "x"})
    assert "must be the patient&#x27;s full name" in wrong.content.decode()
    signed = nurse.post("/kiosk/consent/", {"signed_name": "James Walker", "signature_typed": "JW"})
    assert signed.url == HAND_BACK
    assert not Consent.objects.exists()  # not before the witness confirms
    back = nurse.get(HAND_BACK).content.decode()
    assert "please hand the tablet to prescriber" in back
    # The nurse's own password is not the witness's.
    refused = nurse.post(HAND_BACK, {"secret": "not-it", "witnessed": "on"}).content.decode()
    assert "Wrong. 4 tries left." in refused
    unconfirmed = nurse.post(HAND_BACK, {"secret": PASSWORD}).content.decode()
    assert "Confirm that you witnessed the signature." in unconfirmed
    assert not Consent.objects.exists()
    done = nurse.post(HAND_BACK, {"secret": PASSWORD, "witnessed": "on"})
    assert done.url == f"/patients/{world.patient.pk}/#eligibility"
    consent = Consent.objects.get()
    assert consent.witness == world.users["prescriber"]
    assert consent.created_by == world.users["nurse"]
    assert consent.patient_signed_at <= consent.witnessed_at
    assert nurse.get("/patients/").status_code == 200  # staff again


def test_five_wrong_pins_log_the_tablet_out(world: World) -> None:
    _document(world)
    nurse = world.client("nurse")
    _hand_over(world, nurse)
    for _ in range(4):
        nurse.post(HAND_BACK, {"secret": "0000"})
    assert nurse.post(HAND_BACK, {"secret": "0000"}).url == "/login/"
    assert nurse.get("/patients/").url.startswith("/login/")


def test_a_questionnaire_on_the_tablet(world: World) -> None:
    nurse = world.client("nurse")
    chart = nurse.get(f"/patients/{world.patient.pk}/measurements/").content.decode()
    assert "On the clinic tablet" in chart
    started = nurse.post(
        f"/patients/{world.patient.pk}/questionnaire/tablet/", {"instrument": "phq9"}
    )
    link = started.url
    assert re.fullmatch(r"/q/[^/]+/", link)
    assert nurse.get("/patients/").url == link  # nothing else opens
    answers = {f"item_{i}": "1" for i in range(1, 10)} | {"item_9": "0"}
    thanks = nurse.post(link, answers)
    assert thanks.status_code == 200
    assert Assessment.objects.get(patient=world.patient).total == 8
    back = nurse.post(HAND_BACK, {"secret": PASSWORD})
    assert back.url == f"/patients/{world.patient.pk}/#measurements"
    assert nurse.get("/patients/").status_code == 200


def test_only_those_who_may_hand_over_can(world: World) -> None:
    _document(world)
    start = f"/patients/{world.patient.pk}/consent/iv_racemic/tablet/"
    assert world.client("front_desk").get(start).status_code == 403
    assert world.client("other_clinic_nurse").get(start).status_code == 404
    assert world.client("nurse").get("/kiosk/consent/").status_code == 404  # not handed over
    assert world.client("nurse").get(HAND_BACK).url == "/"
