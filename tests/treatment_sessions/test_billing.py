"""A session's billing codes and the superbill: esketamine G2082 at 56 mg, the clinic's own
codes and fees, the PDF for staff and for the patient's own portal, and who may have them."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pypdf import PdfReader

from ketamine_clinic.patients.models import Patient
from tests.conftest import World
from tests.factories.session import esketamine_session


def text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def configure(world: World) -> None:
    call_command(
        "configure_clinic", "Clinic A", "--npi", "1234567893", "--tax-id", "12-3456789",
        "--billing-fee", "G2082=900.00",
        "--billing-code", "esketamine_nasal=J0013|8.50|Esketamine, 1 mg|per_mg",
        "--billing-code", "iv_racemic=96365|450.00|IV infusion, first hour",
    )  # fmt: skip


def test_an_esketamine_session_bills_g2082_and_the_drug(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    configure(world)  # after: the session helpers save the clinic they hold
    body = chair.api.get(f"/sessions/{chair.id}/billing").json()
    assert body["given_mg"] == "56.00"
    assert [(line["code"], line["units"], line["amount"]) for line in body["lines"]] == [
        ("G2082", "1", "900.00"),
        ("J0013", "56.00", "476.00"),
    ]
    today = timezone.localdate()
    pdf = chair.api.get(
        f"/patients/{world.patient.pk}/superbill.pdf",
        data={"start": str(today - timedelta(days=30)), "end": str(today)},
    )
    assert pdf["Content-Type"] == "application/pdf"
    content = text(pdf.content)
    assert "Superbill" in content
    assert "NPI 1234567893" in content
    assert "G2082" in content
    assert "1376.00" in content  # the total
    assert "James Walker" in content


def test_the_patient_downloads_their_own_superbill(world: World, clock: Any) -> None:
    Patient.objects.filter(pk=world.patient.pk).update(user=None)
    Patient.objects.filter(pk=world.own_patient.pk).update(user=world.users["patient"])
    client = world.client("patient")
    assert "Superbill of the last 12 months" in client.get("/me/questionnaires/").content.decode()
    response = client.get("/me/superbill.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "Chen" in text(response.content)
    assert client.get("/me/superbill.pdf", {"start": "nonsense"}).status_code == 400
    assert world.client("nurse").get("/me/superbill.pdf").status_code == 403


def test_bad_billing_settings_are_refused(world: World) -> None:
    with pytest.raises(CommandError, match="ten digits"):
        call_command("configure_clinic", "Clinic A", "--npi", "123")
    with pytest.raises(CommandError, match="4 to 7"):
        call_command("configure_clinic", "Clinic A", "--billing-code", "iv_racemic=9|1|IV")
    with pytest.raises(CommandError, match="G2082 or G2083"):
        call_command("configure_clinic", "Clinic A", "--billing-fee", "99213=100")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 200), ("nurse", 200), ("front_desk", 403), ("patient", 404),
     ("other_clinic_nurse", 404), (None, 401)],
)  # fmt: skip
def test_who_sees_billing(world: World, clock: Any, persona: str | None, status: int) -> None:
    chair = esketamine_session(world, clock)
    api = world.api(persona)
    assert api.get(f"/sessions/{chair.id}/billing").status_code == status
    today = timezone.localdate()
    response = api.get(f"/patients/{world.patient.pk}/superbill.pdf",
                       data={"start": str(today), "end": str(today)})  # fmt: skip
    assert response.status_code == status


def test_the_session_record_lists_its_billing_codes(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    record = text(chair.api.get(f"/sessions/{chair.id}/record.pdf").content)
    assert "Billing codes" in record
    assert "G2082" in record


def test_signing_freezes_the_lines_against_later_fee_changes(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    configure(world)
    draft = chair.api.get(f"/sessions/{chair.id}/billing").json()
    assert draft["final"] is False
    call_command("configure_clinic", "Clinic A", "--billing-fee", "G2082=950.00")
    assert chair.api.get(f"/sessions/{chair.id}/billing").json()["lines"][0]["fee"] == "950.00"
    world.clinic.refresh_from_db()
    world.clinic.phone, world.clinic.address = "+1 555 0100", "12 River Street, Springfield"
    world.clinic.save()
    world.users["nurse"].email = "sam@clinic.example"
    world.users["nurse"].save()
    assert chair.post("sign").status_code == 200
    call_command(
        "configure_clinic", "Clinic A", "--billing-fee", "G2082=1000.00",
        "--billing-code", "esketamine_nasal=J0013|9.00|Esketamine, 1 mg|per_mg",
    )  # fmt: skip
    signed = chair.api.get(f"/sessions/{chair.id}/billing").json()
    assert signed["final"] is True
    assert [(line["code"], line["units"], line["fee"], line["amount"])
            for line in signed["lines"]] == [
        ("G2082", "1", "950.00", "950.00"),
        ("J0013", "56.00", "8.50", "476.00"),
    ]  # fmt: skip
    today = timezone.localdate()
    pdf = chair.api.get(f"/patients/{world.patient.pk}/superbill.pdf",
                        data={"start": str(today), "end": str(today)})  # fmt: skip
    assert "1426.00" in text(pdf.content)  # 950 + 476, not today's fees
