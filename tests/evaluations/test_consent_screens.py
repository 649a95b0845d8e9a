"""Consent screens: documents, the signing page with its witness, withdrawal, PDF, REMS."""

from __future__ import annotations

import pytest

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent.models import Consent, ConsentDocument, RemsEnrolment
from tests.conftest import World


def publish(world: World, product: str = "iv_racemic") -> ConsentDocument:
    return consent_actions.publish_document(
        Actor(user=world.users["admin"]),
        world.clinic,
        product,
        "IV ketamine consent",
        "## What happens\n\nYou receive ketamine by infusion. <b>raw html</b>",
    )


def test_documents_page_publishes_versions(world: World) -> None:
    client = world.client("admin")
    assert b"none yet" in client.get("/consent-documents/").content
    body = {
        "product": "iv_racemic",
        "title": "IV consent",
        "body_markdown": "Text of the consent, long enough.",
    }
    assert client.post("/consent-documents/", body).status_code == 302
    assert (
        client.post("/consent-documents/", {**body, "title": "IV consent (revised)"}).status_code
        == 302
    )
    versions = list(ConsentDocument.objects.values_list("version", flat=True))
    assert sorted(versions) == [1, 2]
    assert b"IV consent (revised), version 2" in client.get("/consent-documents/").content


@pytest.mark.parametrize("persona", ["nurse", "front_desk", "patient"])
def test_documents_page_denied(world: World, persona: str) -> None:
    assert world.client(persona).get("/consent-documents/").status_code == 403


def test_signing_page_renders_markdown_safely_and_records_the_witness(world: World) -> None:
    publish(world)
    client = world.client("nurse")
    url = f"/patients/{world.patient.pk}/consents/sign/iv_racemic/"
    page = client.get(url).content.decode()
    assert "<h2>What happens</h2>" in page
    assert "<b>raw html</b>" not in page
    wrong = client.post(
        url, {"signed_name": "Someone Else", "signature_typed": "x", "witnessed": "on"}
    )
    assert "full name as registered (James Walker)" in wrong.content.decode()
    unwitnessed = client.post(url, {"signed_name": "James Walker", "signature_typed": "JW"})
    assert unwitnessed.status_code == 200
    assert not Consent.objects.exists()
    done = client.post(
        url, {"signed_name": "James Walker", "signature_typed": "JW", "witnessed": "on"}
    )
    assert done.status_code == 302
    signed = Consent.objects.get()
    assert signed.witness == world.users["nurse"]
    card = client.get(f"/patients/{world.patient.pk}/eligibility/").content.decode()
    assert "Active" in card
    pdf = client.get(f"/consents/{signed.pk}/consent.pdf")
    assert pdf.content.startswith(b"%PDF")
    withdrawn = client.post(f"/consents/{signed.pk}/withdraw/", {"reason": "patient asked to stop"})
    assert withdrawn.status_code == 302
    signed.refresh_from_db()
    assert signed.withdrawn_by == world.users["nurse"]


def test_no_document_yet_says_so(world: World) -> None:
    page = world.client("nurse").get(
        f"/patients/{world.patient.pk}/consents/sign/esketamine_nasal/"
    )
    assert b"no consent document for Esketamine nasal spray yet" in page.content


@pytest.mark.parametrize(
    ("persona", "status"),
    [("front_desk", 403), ("admin", 403), ("other_clinic_nurse", 404), ("patient", 404)],
)
def test_signing_denied(world: World, persona: str, status: int) -> None:
    publish(world)
    client = world.client(persona)
    url = f"/patients/{world.patient.pk}/consents/sign/iv_racemic/"
    assert client.get(url).status_code == status
    assert (
        client.post(
            url, {"signed_name": "James Walker", "signature_typed": "JW", "witnessed": "on"}
        ).status_code
        == status
    )
    assert not Consent.objects.exists()


def test_rems_form(world: World) -> None:
    client = world.client("prescriber")
    url = f"/patients/{world.patient.pk}/rems-enrolment/"
    assert (
        client.post(
            url, {"enrolled_on": "2026-01-05", "enrolment_id": "R-777", "patient_signed": "on"}
        ).status_code
        == 302
    )
    assert RemsEnrolment.objects.get().enrolment_id == "R-777"
    assert world.client("nurse").get(url).status_code == 403
    assert world.client("other_clinic_nurse").get(url).status_code == 404
