"""Counts reconciled against the ledger, the loss report a shortfall opens, and its DEA
deadlines; with who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ketamine_clinic.inventory.models import LossReport
from ketamine_clinic.inventory.queries import deadline
from tests.conftest import World
from tests.factories.ledger import count, stocked, waste


def test_a_count_that_matches_the_books(world: World) -> None:
    vials = stocked(world, 2)
    waste(world, vials[0]["id"])
    body = count(
        world,
        [
            {"container": vials[0]["id"], "quantity": "9.7", "unit": "mL"},
            {"container": vials[1]["id"], "quantity": "500", "unit": "mg"},
        ],
    )
    assert body.status_code == 201, body.content
    result = body.json()
    assert result["shortfall_mg"] == "0"
    assert result["loss_report"] is None
    assert [line["difference_mg"] for line in result["lines"]] == ["0.00", "0.00"]
    recon = world.api("admin").get("/inventory/reconciliation").json()
    assert recon["last_inventory"] == timezone.localdate().isoformat()
    assert recon["biennial_due"] == (timezone.localdate() + timedelta(days=730)).isoformat()
    assert recon["loss_reports"] == []


def test_a_shortfall_opens_a_loss_report_with_its_deadlines(world: World) -> None:
    vials = stocked(world, 2)
    waste(world, vials[1]["id"])  # opened: 485 mg left, which may be estimated
    body = count(
        world,
        [
            {"container": vials[0]["id"], "quantity": "480", "unit": "mg"},
            {"container": vials[1]["id"], "quantity": "475", "unit": "mg", "estimated": True},
        ],
        kind="ad_hoc",
    ).json()
    assert body["shortfall_mg"] == "20.00"
    assert body["review"] == [vials[1]["id"]]  # an estimate: a person judges it
    report = body["loss_report"]
    assert report["quantity_mg"] == "20.00"
    assert "K00001" in report["description"]
    assert report["form_106_due"] == (timezone.localdate() + timedelta(days=45)).isoformat()
    admin = world.api("admin")
    assert (
        world.api("nurse")
        .post(
            f"/inventory/loss-reports/{report['id']}/notice",
            {"version": 1, "sent_on": timezone.localdate().isoformat()},
        )
        .status_code
        == 403
    )
    sent = admin.post(
        f"/inventory/loss-reports/{report['id']}/notice",
        {"version": 1, "sent_on": timezone.localdate().isoformat()},
    )
    assert sent.status_code == 200
    stale = admin.post(
        f"/inventory/loss-reports/{report['id']}/form-106",
        {"version": 1, "filed_on": timezone.localdate().isoformat(), "reference": "F106-1"},
    )
    assert stale.status_code == 409
    filed = admin.post(
        f"/inventory/loss-reports/{report['id']}/form-106",
        {"version": 2, "filed_on": timezone.localdate().isoformat(), "reference": "F106-1"},
    )
    assert filed.json()["form_106_reference"] == "F106-1"
    assert admin.get("/inventory/reconciliation").json()["loss_reports"] == []
    assert LossReport.history.count() == 3  # created, notice, Form 106


def test_an_inventory_counts_every_container(world: World) -> None:
    vials = stocked(world, 2)
    response = count(world, [{"container": vials[0]["id"], "quantity": "500", "unit": "mg"}])
    assert response.status_code == 422
    assert "K00002" in response.json()["detail"][0]["msg"]
    twice = count(
        world,
        [{"container": vials[0]["id"], "quantity": "500", "unit": "mg"}] * 2,
        kind="ad_hoc",
    )
    assert twice.status_code == 422


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("front_desk", 403),
        ("patient", 403),
        ("admin", 201),
        ("prescriber", 201),
        ("other_clinic_nurse", 422),
    ],
)
def test_who_counts(world: World, persona: str, status: int) -> None:
    vials = stocked(world, 1)
    response = count(
        world, [{"container": vials[0]["id"], "quantity": "500", "unit": "mg"}], persona=persona
    )
    assert response.status_code == status


def test_the_dashboard_shows_the_ledgers_deadlines(world: World) -> None:
    page = world.client("prescriber").get("/dashboard/").content.decode()
    assert "Biennial inventory: no initial inventory recorded." in page
    vials = stocked(world, 1)
    count(world, [{"container": vials[0]["id"], "quantity": "490", "unit": "mg"}], kind="initial")
    page = world.client("nurse").get("/dashboard/").content.decode()
    assert "Biennial inventory: due in 730 days" in page
    assert "Loss of 10.00 mg discovered" in page
    assert "Form 106 due in 45 days" in page
    other = world.client("other_clinic_nurse").get("/dashboard/").content.decode()
    assert "Loss of 10.00 mg" not in other  # another clinic's books stay there


def test_a_deadline_reads_in_words() -> None:
    today = date(2026, 12, 6)
    assert deadline(date(2026, 12, 7), None, today) == "due in 1 day"
    assert deadline(date(2026, 12, 8), None, today) == "due in 2 days"
    assert deadline(today, None, today) == "due today"
    assert deadline(date(2026, 12, 5), None, today) == "overdue"
    assert deadline(date(2026, 12, 5), date(2026, 12, 1), today) == "done 1 Dec 2026"
