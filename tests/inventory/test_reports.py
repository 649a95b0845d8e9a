"""Ledger reports against a hand-built day: a receipt, an infusion given and its witnessed
waste at the chair, and a second waste; in JSON and CSV; with the denials."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.clinical.ledger import Movement
from ketamine_clinic.inventory import actions
from ketamine_clinic.inventory.models import Product
from tests.conftest import PASSWORD, World
from tests.factories.chair import Chair, ready_to_dose, start, vault


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


def test_reports_against_a_hand_built_month(world: World) -> None:
    """October by hand: one delivery of two vials, four doses to two patients by two nurses,
    three wastes, a destruction; one dose on 31 October late in the evening and one on
    1 November, to check the month's edges."""
    nurse, prescriber = world.users["nurse"], world.users["prescriber"]
    as_nurse, as_prescriber = Actor(user=nurse), Actor(user=prescriber)
    year = timezone.localdate().year - 1
    product = Product.objects.create(
        clinic=world.clinic, name="Ketamine 50 mg/mL", ndc="0409-2051-05", substance="ketamine",
        form="vial, 10 mL", concentration_mg_per_ml=Decimal(50), container_mg=Decimal(500),
    )  # fmt: skip
    received = datetime(year, 10, 1, 8, 0, tzinfo=UTC)
    with time_machine.travel(received + timedelta(minutes=5)):
        first, second = actions.receive(
            as_nurse, "nurse", world.clinic,
            actions.Receipt(product, 2, "KX1", date(year + 3, 1, 1), received, "Supplier",
                            "1 Supply Way", "RS1234563", "INV-1"),
        )  # fmt: skip

    def book(who: Actor, kind: str, container: Any, mg: str, when: datetime, **extra: Any) -> None:
        role = "prescriber" if who is as_prescriber else "nurse"
        witness, patient = extra.pop("witness", None), extra.pop("patient", None)
        movement = Movement(
            kind=kind,
            quantity_mg=Decimal(mg),
            performer=str(who.user.pk),
            performer_role=role,
            event_on=when.date(),
            expires_on=container.expires_on,
            witness=str(witness.pk) if witness else None,
            witness_role="prescriber" if witness == prescriber else "nurse",
            **extra,
        )
        links = {"patient": patient} if patient else None
        actions.move(
            who, role, container, movement, event_at=when, entered=mg, links=links, witness=witness
        )

    walker, chen = world.patient, world.own_patient
    day = {n: datetime(year, 10, n, 10, tzinfo=UTC) for n in (6, 13, 20)}
    late = datetime(year, 10, 31, 23, 30, tzinfo=UTC)
    book(as_nurse, "administer", first, "35", day[6], patient=walker)
    book(as_nurse, "waste", first, "15", day[6] + timedelta(hours=1), witness=prescriber)
    book(as_prescriber, "administer", first, "40", day[13], patient=chen)
    book(as_prescriber, "waste", first, "10", day[13] + timedelta(hours=1), witness=nurse)
    book(as_nurse, "administer", second, "70", late, patient=walker)
    book(as_nurse, "waste", second, "30", late + timedelta(minutes=10), witness=prescriber)
    book(as_nurse, "destroy", first, "400", day[20], reference="RD-9")
    book(as_nurse, "administer", second, "35", late + timedelta(minutes=40), patient=chen)
    october = {"start": f"{year}-10-01", "end": f"{year}-10-31"}
    record = report(world, "dispensing-record", **october).json()
    assert [
        (r["kind"], r["container"], r["quantity_mg"], r["balance_after_mg"]) for r in record
    ] == [
        ("receive", "K00001", "500.00", "500.00"),
        ("receive", "K00002", "500.00", "500.00"),
        ("administer", "K00001", "35.00", "465.00"),
        ("waste", "K00001", "15.00", "450.00"),
        ("administer", "K00001", "40.00", "410.00"),
        ("waste", "K00001", "10.00", "400.00"),
        ("destroy", "K00001", "400.00", "0.00"),
        ("administer", "K00002", "70.00", "430.00"),
        ("waste", "K00002", "30.00", "400.00"),
    ]
    assert record[6]["manner"] == "RD-9"
    assert record[0]["supplier"] == "Supplier, 1 Supply Way, DEA RS1234563"
    assert report(world, "usage-by-patient", **october).json() == [
        {"patient": "James Walker", "transactions": 2, "total_mg": "105.00", "share_pct": "72.4"},
        {"patient": "Mei Chen", "transactions": 1, "total_mg": "40.00", "share_pct": "27.6"},
    ]
    assert report(world, "usage-by-nurse", **october).json() == [
        {"nurse": "nurse", "transactions": 2, "total_mg": "105.00", "share_pct": "72.4"},
        {"nurse": "prescriber", "transactions": 1, "total_mg": "40.00", "share_pct": "27.6"},
    ]
    assert report(world, "waste-by-nurse", **october).json() == [
        {"nurse": "nurse", "transactions": 2, "total_mg": "45.00", "share_pct": "81.8"},
        {"nurse": "prescriber", "transactions": 1, "total_mg": "10.00", "share_pct": "18.2"},
    ]
    november = report(world, "usage-by-nurse", start=f"{year}-11-01", end=f"{year}-11-30")
    assert november.json() == [
        {"nurse": "nurse", "transactions": 1, "total_mg": "35.00", "share_pct": "100.0"}
    ]
