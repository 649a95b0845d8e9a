"""The ledger over the API: products, receipts, witnessed waste, units, adjustments, the
balance that never goes negative, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.clinical.ledger import Movement
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.inventory import actions
from ketamine_clinic.inventory.models import Container, LedgerTransaction
from tests.conftest import World
from tests.factories.ledger import VIAL, receipt, stocked, waste


def test_receiving_books_each_container_in_full(world: World) -> None:
    containers = stocked(world)
    assert [c["label"] for c in containers] == ["K00001", "K00002", "K00003"]
    assert all(c["balance_mg"] == "500.00" for c in containers)
    history = world.api("nurse").get("/inventory/transactions").json()
    assert [(t["kind"], t["balance_before_mg"], t["balance_after_mg"]) for t in history] == [
        ("receive", "0.00", "500.00")
    ] * 3
    more = stocked(world, 1)
    assert more[0]["label"] == "K00004"


def test_witnessed_waste(world: World) -> None:
    vial = stocked(world, 1)[0]["id"]
    booked = waste(world, vial, quantity="0.3", unit="mL")
    assert booked.status_code == 201, booked.content
    body = booked.json()
    assert body["quantity_mg"] == "15.00"
    assert body["entered_quantity"] == "0.3 mL"
    assert body["balance_after_mg"] == "485.00"
    assert body["witness"] == str(world.users["prescriber"].pk)
    assert Container.objects.get(pk=vial).balance_mg == Decimal("485.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"witness_username": None, "witness_password": None}, "witness_username"),
        ({"witness_password": "wrong-password-here"}, "witness_password"),
        ({"witness_username": "nurse"}, "witness"),  # the performer
        ({"witness_username": "front_desk"}, "witness"),  # not licensed
        ({"witness_username": "other_clinic_nurse"}, "witness"),  # not of this clinic
        ({"quantity": "501"}, "quantity"),  # more than is left
        ({"unit": "device"}, "unit"),
        ({"quantity": "0.0001"}, "quantity"),
    ],
)
def test_refused_waste_books_nothing(world: World, change: dict[str, Any], field: str) -> None:
    vial = stocked(world, 1)[0]["id"]
    response = waste(world, vial, **change)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert LedgerTransaction.objects.filter(kind="waste").count() == 0
    assert Container.objects.get(pk=vial).balance_mg == Decimal(500)


def test_adjust_destroy_and_loss(world: World) -> None:
    vial = stocked(world, 1)[0]["id"]
    base = {"container": vial, "quantity": "2", "unit": "mg"}
    nurse = world.api("nurse").post("/inventory/transactions", {**base, "kind": "adjust"})
    assert nurse.status_code == 403
    short = world.api("admin").post(
        "/inventory/transactions", {**base, "kind": "adjust", "reason": "count"}
    )
    assert short.json()["detail"][0]["loc"][-1] == "reason"
    added = world.api("admin").post(
        "/inventory/transactions",
        {**base, "kind": "adjust", "increase": True, "reason": "overfill found at the count"},
    )
    assert added.json()["balance_after_mg"] == "502.00"
    destroy = {**base, "kind": "destroy", "quantity": "502"}
    assert world.api("nurse").post("/inventory/transactions", destroy).status_code == 422
    done = world.api("nurse").post(
        "/inventory/transactions", {**destroy, "reference": "Form 41 / RD-2026-114"}
    )
    assert done.json()["balance_after_mg"] == "0.00"
    assert world.api("nurse").get("/inventory/lots").json() == []
    assert len(world.api("nurse").get("/inventory/lots", data={"empty": "true"}).json()) == 1


def test_administration_goes_through_the_chair(world: World) -> None:
    vial = stocked(world, 1)[0]["id"]
    response = world.api("nurse").post(
        "/inventory/transactions",
        {"container": vial, "kind": "administer", "quantity": "35", "unit": "mg"},
    )
    assert response.status_code == 422


def test_bad_receipts(world: World) -> None:
    product = world.api("admin").post("/inventory/products", VIAL).json()
    api = world.api("nurse")
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    expired = api.post("/inventory/lots", receipt(product["id"], expires_on=past))
    assert expired.json()["detail"][0]["loc"][-1] == "expires_on"
    bad_dea = api.post("/inventory/lots", receipt(product["id"], supplier_dea="12345"))
    assert bad_dea.status_code == 422
    esketamine = {**VIAL, "ndc": "50458-028-02", "substance": "esketamine"}
    refused = world.api("admin").post("/inventory/products", esketamine)
    assert refused.json()["detail"][0]["loc"][-1] == "concentration_mg_per_ml"
    assert world.api("admin").post("/inventory/products", VIAL).status_code == 409


@pytest.mark.parametrize(
    ("persona", "see", "receive", "add_product"),
    [
        ("admin", 200, 201, 201),
        ("prescriber", 200, 201, 201),
        ("nurse", 200, 201, 403),
        ("front_desk", 403, 403, 403),
        ("patient", 403, 403, 403),
        ("other_clinic_nurse", 200, 422, 403),
        (None, 401, 401, 401),
    ],
)
def test_who_keeps_the_books(
    world: World, persona: str | None, see: int, receive: int, add_product: int
) -> None:
    product = world.api("admin").post("/inventory/products", VIAL).json()
    api = world.api(persona)
    assert api.get("/inventory/lots").status_code == see
    assert api.post("/inventory/lots", receipt(product["id"], 1)).status_code == receive
    other = {**VIAL, "ndc": "0409-2051-06"}
    assert api.post("/inventory/products", other).status_code == add_product


def test_another_clinics_container_is_not_found(world: World) -> None:
    vial = stocked(world, 1)[0]["id"]
    other = world.api("other_clinic_nurse")
    assert other.get("/inventory/transactions", data={"container": vial}).status_code == 404
    assert other.get("/inventory/lots").json() == []
    response = other.post(
        "/inventory/transactions",
        {"container": vial, "kind": "loss", "quantity": "1", "unit": "mg", "reason": "x" * 12},
    )
    assert response.status_code == 404


def test_the_ledger_cannot_be_rewritten_in_the_database(world: World) -> None:
    stocked(world, 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_ledgertransaction SET quantity_mg = 1")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "waste",
                    "waste-self",
                    "loss",
                    "destroy",
                    "transfer",
                    "adjust-up",
                    "adjust-down",
                    "adjust-by-nurse",
                ]
            ),
            st.decimals("0.01", "300", places=2),
        ),
        max_size=12,
    )
)
def test_any_sequence_keeps_the_stored_books_exact(
    world: World, steps: list[tuple[str, Decimal]]
) -> None:
    """Whatever is booked or refused, in any order: the container's balance equals its last
    transaction's balance and the sum of everything booked, it never goes below zero, every
    waste has a witness other than its performer, and a refusal books nothing."""
    vial = Container.objects.get(pk=stocked(world, 1)[0]["id"])
    nurse = Actor(user=world.users["nurse"])
    witnesses = {"waste": world.users["prescriber"], "waste-self": world.users["nurse"]}
    for step, quantity in steps:
        kind = step.split("-")[0]
        role = "admin" if step in ("adjust-up", "adjust-down") else "nurse"
        witness = witnesses.get(step)
        movement = Movement(
            kind=kind,
            quantity_mg=quantity,
            performer=str(nurse.user.pk),
            performer_role=role,
            event_on=timezone.localdate(),
            expires_on=vial.expires_on,
            witness=str(witness.pk) if witness else None,
            witness_role="prescriber" if step == "waste" else "nurse",
            reason="stock check correction",
            reference="RD-1",
            increase=step == "adjust-up",
        )
        before = LedgerTransaction.objects.count()
        balance = Container.objects.get(pk=vial.pk).balance_mg
        try:
            actions.move(
                nurse, role, vial, movement, event_at=timezone.now(), entered="", witness=witness
            )
        except InvalidInput:
            assert LedgerTransaction.objects.count() == before
            assert Container.objects.get(pk=vial.pk).balance_mg == balance
    rows = list(LedgerTransaction.objects.filter(container=vial).order_by("recorded_at"))
    vial.refresh_from_db()
    assert vial.balance_mg >= 0
    assert vial.balance_mg == rows[-1].balance_after_mg
    signed = sum((r.balance_after_mg - r.balance_before_mg for r in rows), start=Decimal(0))
    assert vial.balance_mg == signed
    assert all(r.balance_after_mg >= 0 for r in rows)
    assert all(r.witness_id and r.witness_id != r.performer_id for r in rows if r.kind == "waste")
    adjusts = sum(1 for step, _ in steps if step in ("adjust-up", "adjust-down"))
    assert sum(1 for r in rows if r.kind == "adjust") <= adjusts  # never the nurse's


def test_a_product_carries_its_rxcui(world: World) -> None:
    admin = world.api("admin")
    refused = admin.post("/inventory/products", {**VIAL, "rxnorm": "ketamine"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "rxnorm"
    made = admin.post("/inventory/products", {**VIAL, "rxnorm": "238083"})
    assert made.status_code == 201
    assert made.json()["rxnorm"] == "238083"
    other = admin.post("/inventory/products", {**VIAL, "ndc": "0409-2053-10"})
    assert other.json()["rxnorm"] == ""  # optional
