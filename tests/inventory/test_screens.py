"""The vault's screens: balances and history, receiving, the witnessed waste at one tablet,
other movements, counts and losses, reports; and who may use each."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from ketamine_clinic.inventory.models import Container, LedgerTransaction, LossReport, Product
from tests.conftest import PASSWORD, World
from tests.factories.ledger import VIAL, product_id, receipt, stocked, waste

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("nurse", 200), ("prescriber", 200), ("admin", 200), ("front_desk", 403), ("patient", 403)],
)
def test_who_sees_the_vault(world: World, persona: str, status: int) -> None:
    assert world.client(persona).get("/vault/").status_code == status


def test_the_vault_and_a_containers_history(world: World) -> None:
    vial = stocked(world, 2)[0]["id"]
    waste(world, vial)
    client = world.client("nurse")
    page = client.get("/vault/").content.decode()
    assert "K00001" in page
    assert "485" in page
    history = client.get(f"/vault/{vial}/").content.decode()
    assert 'data-kind="receive"' in history
    assert 'data-kind="waste"' in history
    assert "prescriber" in history  # the witness
    other = world.client("other_clinic_nurse")
    assert other.get(f"/vault/{vial}/").status_code == 404
    assert "K00001" not in other.get("/vault/").content.decode()


def test_receiving_on_screen(world: World) -> None:
    product = product_id(world)
    client = world.client("nurse")
    form = client.get("/vault/receive/").content.decode()
    assert "Ketamine HCl 50 mg/mL" in form
    assert "Add a product" not in form  # nurses receive; admins and prescribers add products
    data = {**receipt(product, 2), "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    bad = client.post("/vault/receive/", {**data, "supplier_dea": "RM1234567"})
    assert "check digit" in bad.content.decode()
    assert Container.objects.count() == 0
    done = client.post("/vault/receive/", data, follow=True)
    assert "2 received and labelled K00001 to K00002" in done.content.decode()
    assert Container.objects.filter(clinic=world.clinic).count() == 2
    assert world.client("front_desk").get("/vault/receive/").status_code == 403


def test_adding_a_product_on_screen(world: World) -> None:
    assert world.client("nurse").get("/vault/products/new/").status_code == 403
    client = world.client("admin")
    refused = client.post("/vault/products/new/", {**VIAL, "concentration_mg_per_ml": ""})
    assert "concentration" in refused.content.decode()
    assert client.post("/vault/products/new/", VIAL).status_code == 302
    assert Product.objects.filter(clinic=world.clinic, ndc=VIAL["ndc"]).exists()


def test_the_witnessed_waste_at_one_tablet(world: World) -> None:
    vial = stocked(world, 1)[0]["id"]
    client = world.client("nurse")
    page = client.get(f"/vault/{vial}/waste/").content.decode()
    assert "Witness password" in page
    base = {"quantity": "0.3", "unit": "mL", "witness_username": "prescriber"}
    wrong = client.post(f"/vault/{vial}/waste/", {**base, "witness_password": "not-it-at-all"})
    assert "username or password is wrong" in wrong.content.decode()
    myself = client.post(
        f"/vault/{vial}/waste/", {**base, "witness_username": "nurse", "witness_password": PASSWORD}
    )
    assert "someone other than the performer" in myself.content.decode()
    assert not LedgerTransaction.objects.filter(kind="waste").exists()
    done = client.post(f"/vault/{vial}/waste/", {**base, "witness_password": PASSWORD}, follow=True)
    assert "Wasted before prescriber: 15 mg; 485 mg left" in done.content.decode()
    row = LedgerTransaction.objects.get(kind="waste")
    assert (row.performer, row.witness) == (world.users["nurse"], world.users["prescriber"])
    assert world.client("admin").get(f"/vault/{vial}/waste/").status_code == 403
    assert world.client("other_clinic_nurse").get(f"/vault/{vial}/waste/").status_code == 404


def test_other_movements_on_screen(world: World) -> None:
    vial = stocked(world, 1)[0]["id"]
    nurse = world.client("nurse")
    adjust = {"kind": "adjust", "quantity": "2", "unit": "mg", "reason": "overfill at the count"}
    refused = nurse.post(f"/vault/{vial}/move/", adjust)
    assert "your role does not record this movement" in refused.content.decode()
    assert world.client("admin").post(f"/vault/{vial}/move/", adjust).status_code == 302
    no_reference = nurse.post(
        f"/vault/{vial}/move/", {"kind": "destroy", "quantity": "498", "unit": "mg"}
    )
    assert "Form 41 reference" in no_reference.content.decode()
    destroyed = nurse.post(
        f"/vault/{vial}/move/",
        {"kind": "destroy", "quantity": "498", "unit": "mg", "reference": "RD-2026-114"},
        follow=True,
    )
    assert "Destroy: 498 mg; 0 mg left" in destroyed.content.decode()
    assert world.client("front_desk").get(f"/vault/{vial}/move/").status_code == 403


def test_a_count_a_loss_and_its_deadlines_on_screen(world: World) -> None:
    vials = stocked(world, 2)
    nurse = world.client("nurse")
    form = nurse.get("/vault/counts/new/").content.decode()
    assert "K00002 counted" in form
    # A blind count: the books are not shown (the container ids are random and may hold "500").
    lines = UUID.sub("", form.split("count-lines")[1])
    assert "500" not in lines
    lines = {
        f"q_{vials[0]['id']}": "10", f"u_{vials[0]['id']}": "mL",
        f"q_{vials[1]['id']}": "9.5", f"u_{vials[1]['id']}": "mL",
    }  # fmt: skip
    estimate = {**lines, f"e_{vials[1]['id']}": "on"}
    refused = nurse.post(
        "/vault/counts/new/", {"kind": "initial", "time_of_day": "opening", **estimate}
    )
    assert "an unopened container is counted exactly" in refused.content.decode()
    saved = nurse.post(
        "/vault/counts/new/", {"kind": "initial", "time_of_day": "opening", **lines}, follow=True
    )
    page = saved.content.decode()
    assert "25 mg is missing against the books" in page
    report = LossReport.objects.get()
    assert (
        world.client("nurse")
        .post(
            f"/vault/losses/{report.pk}/",
            {"step": "notice", "notice-version": "1", "notice-sent_on": str(timezone.localdate())},
        )
        .status_code
        == 403
    )
    admin = world.client("admin")
    sent = admin.post(
        f"/vault/losses/{report.pk}/",
        {"step": "notice", "notice-version": "1", "notice-sent_on": str(timezone.localdate())},
        follow=True,
    )
    assert "The DEA notice is recorded as sent" in sent.content.decode()
    stale = admin.post(
        f"/vault/losses/{report.pk}/",
        {"step": "form_106", "f106-version": "1", "f106-filed_on": str(timezone.localdate()),
         "f106-reference": "F106-99"},
    )  # fmt: skip
    assert "changed by someone else" in stale.content.decode()
    admin.post(
        f"/vault/losses/{report.pk}/",
        {"step": "form_106", "f106-version": "2", "f106-filed_on": str(timezone.localdate()),
         "f106-reference": "F106-99"},
    )  # fmt: skip
    report.refresh_from_db()
    assert report.form_106_reference == "F106-99"
    counts_page = admin.get("/vault/counts/").content.decode()
    assert "F106-99" in counts_page  # closed
    assert world.client("other_clinic_nurse").get(f"/vault/losses/{report.pk}/").status_code == 404
    assert world.client("front_desk").get("/vault/counts/").status_code == 403


def test_reports_on_screen_and_as_downloads(world: World) -> None:
    vial = stocked(world, 1)[0]["id"]
    waste(world, vial)
    client = world.client("admin")
    today = str(timezone.localdate())
    query = {"report": "waste-by-nurse", "start": today, "end": today}
    page = client.get("/vault/reports/", query).content.decode()
    assert "<td>nurse</td>" in page
    # Headings as a person reads them; the CSV keeps the keys a spreadsheet relies on.
    assert '<th scope="col">Total (mg)</th><th scope="col">Share (%)</th>' in page
    dispensing = client.get("/vault/reports/", {**query, "report": "dispensing-record"})
    assert '<th scope="col">NDC</th>' in dispensing.content.decode()
    assert '<th scope="col">Quantity (mg)</th>' in dispensing.content.decode()
    csv = client.get("/vault/reports/", {**query, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().startswith("nurse,transactions,total_mg,share_pct")
    pdf = client.get("/vault/reports/", {**query, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    backwards = client.get("/vault/reports/", {**query, "end": "2020-01-01"})
    assert "must not be before start" in backwards.content.decode()
    history = client.get(f"/vault/{vial}/history.csv").content.decode()
    assert history.splitlines()[1].split(",")[2] == "receive"
    assert client.get(f"/vault/{vial}/history.pdf").content.startswith(b"%PDF")
    assert client.get(f"/vault/{vial}/history.exe").status_code == 404
    assert world.client("front_desk").get("/vault/reports/").status_code == 403
    other = world.client("other_clinic_nurse")
    assert other.get(f"/vault/{vial}/history.csv").status_code == 404
    assert "<td>nurse</td>" not in other.get("/vault/reports/", query).content.decode()


def test_a_product_s_rxcui_on_screen(world: World) -> None:
    client = world.client("admin")
    refused = client.post("/vault/products/new/", {**VIAL, "rxnorm": "23-80"})
    assert "digits only" in refused.content.decode()
    assert client.post("/vault/products/new/", {**VIAL, "rxnorm": "238083"}).status_code == 302
    assert Product.objects.get(clinic=world.clinic, ndc=VIAL["ndc"]).rxnorm == "238083"
