"""Ledger reports against a hand-built day: a receipt, an infusion given and its witnessed
waste at the chair, and a second waste; in JSON and CSV; with the denials."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, World
from tests.treatment_sessions.test_api import Chair, ready_to_dose, start, vault


def day_at_the_clinic(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "iv_racemic"))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    vial = vault(world)["ketamine"]
    chair.post("doses", action="iv_start", drawn_mg="50", container=vial)
    clock.shift(timedelta(minutes=40))
    chair.post("doses", action="iv_stop", given_mg="35")
    chair.post("waste", witness_username="prescriber", witness_password=PASSWORD)
    world.api("prescriber").post(
        "/inventory/transactions",
        {
            "container": vial,
            "kind": "waste",
            "quantity": "5",
            "unit": "mg",
            "witness_username": "nurse",
            "witness_password": PASSWORD,
        },
    )


def report(world: World, name: str, persona: str = "admin", **params: str) -> Any:
    today = timezone.localdate().isoformat()
    return world.api(persona).get(
        f"/inventory/reports/{name}", data={"start": today, "end": today, **params}
    )


def test_the_dispensing_record(world: World, clock: Any) -> None:
    day_at_the_clinic(world, clock)
    rows = report(world, "dispensing-record").json()
    ketamine = [r for r in rows if r["substance"] == "Ketamine (racemic)"]
    assert sorted(r["kind"] for r in ketamine) == ["administer", "waste", "waste"]
    given = next(r for r in ketamine if r["kind"] == "administer")
    assert given["patient"] == "James Walker"
    assert given["quantity_mg"] == "35.00"
    assert given["by"] == "nurse"
    wastes = [r for r in ketamine if r["kind"] == "waste"]
    assert {(r["by"], r["witness"], r["quantity_mg"]) for r in wastes} == {
        ("nurse", "prescriber", "15.00"),
        ("prescriber", "nurse", "5.00"),
    }
    # The receipts were yesterday: outside today's window, inside a two-day one.
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    wider = report(world, "dispensing-record", start=yesterday).json()
    receipt = next(r for r in wider if r["kind"] == "receive")
    assert receipt["supplier"] == "Supplier, 1 Supply Way, DEA RS1234563"


def test_usage_and_waste_totals(world: World, clock: Any) -> None:
    day_at_the_clinic(world, clock)
    assert report(world, "usage-by-patient").json() == [
        {"patient": "James Walker", "transactions": 1, "total_mg": "35.00", "share_pct": "100.0"}
    ]
    assert report(world, "waste-by-nurse").json() == [
        {"nurse": "nurse", "transactions": 1, "total_mg": "15.00", "share_pct": "75.0"},
        {"nurse": "prescriber", "transactions": 1, "total_mg": "5.00", "share_pct": "25.0"},
    ]
    csv = report(world, "waste-by-nurse", format="csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0] == "nurse,transactions,total_mg,share_pct"


def test_bad_report_requests(world: World) -> None:
    today = timezone.localdate()
    backwards = report(
        world, "usage-by-nurse", start=today.isoformat(), end=str(today - timedelta(days=1))
    )
    assert backwards.json()["detail"][0]["loc"][-1] == "end"
    assert report(world, "everything").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("front_desk", 403), ("patient", 403), ("nurse", 200), (None, 401)]
)
def test_who_reads_the_reports(world: World, persona: str | None, status: int) -> None:
    assert report(world, "dispensing-record", persona=persona).status_code == status  # type: ignore[arg-type]


def test_another_clinic_sees_only_its_own(world: World, clock: Any) -> None:
    day_at_the_clinic(world, clock)
    assert report(world, "dispensing-record", persona="other_clinic_nurse").json() == []


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # table cells wrap their words


def test_the_dispensing_record_as_a_pdf_for_the_inspector(world: World, clock: Any) -> None:
    world.clinic.address = "10 Main St, Springfield IL"
    world.clinic.save()
    world.api("admin").request(
        "PUT",
        "/inventory/registration",
        {"dea_number": "AB1234563", "name": "Clinic A", "address": world.clinic.address},
    )
    day_at_the_clinic(world, clock)
    pdf = report(world, "dispensing-record", format="pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert 'filename="dispensing-record-' in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    assert "Dispensing record (21 CFR 1304.22(c))" in text
    assert "DEA AB1234563" in text
    assert "James Walker" in text
    assert "35.00" in text


def test_one_containers_history(world: World, clock: Any) -> None:
    day_at_the_clinic(world, clock)
    vial = vault(world)["ketamine"]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    rows = report(world, "container-history", container=vial, start=yesterday).json()
    assert [(r["kind"], r["balance_after_mg"]) for r in rows] == [
        ("receive", "500.00"),
        ("administer", "465.00"),
        ("waste", "450.00"),
        ("waste", "445.00"),
    ]
    assert rows[2]["witness"] == "prescriber"
    pdf = report(world, "container-history", container=vial, format="pdf", start=yesterday)
    text = pdf_text(pdf.content)
    assert "Container history" in text
    assert "no DEA registration recorded" in text
    assert report(world, "container-history").json()["detail"][0]["loc"][-1] == "container"
    other = report(world, "container-history", persona="other_clinic_nurse", container=vial)
    assert other.status_code == 404
