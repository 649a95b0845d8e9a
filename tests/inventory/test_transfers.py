"""Stock moved between two of the organisation's registered locations, the registration
itself, and the state rule for exact counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ketamine_clinic.accounts.models import Membership
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.inventory.models import Container, LedgerTransaction, Registration
from tests.conftest import World
from tests.factories.ledger import VIAL, count, stocked, waste

A_DEA = "AB1234563"
B_DEA = "BC2345672"


def registered(world: World, clinic: Any, number: str, name: str) -> None:
    admin = world.api("admin")
    Membership.objects.get_or_create(
        user=world.users["admin"], clinic=clinic, defaults={"role": Role.ADMIN}
    )
    body = {
        "clinic": str(clinic.pk),
        "dea_number": number,
        "name": name,
        "address": f"{name}, 10 Main St, Springfield IL",
    }
    response = admin.request("PUT", "/inventory/registration", body)
    assert response.status_code == 200, response.content


@pytest.fixture
def network(world: World) -> World:
    """The nurse and the admin work at both locations; both are registered and stock the vial."""
    Membership.objects.create(user=world.users["nurse"], clinic=world.other_clinic, role=Role.NURSE)
    registered(world, world.clinic, A_DEA, "Clinic A")
    registered(world, world.other_clinic, B_DEA, "Clinic B")
    admin = world.api("admin")
    for clinic in (world.clinic, world.other_clinic):
        added = admin.post("/inventory/products", {**VIAL, "clinic": str(clinic.pk)})
        assert added.status_code == 201, added.content
    return world


def transfer(world: World, container: str, **change: Any) -> Any:
    return world.api("nurse").post(
        "/inventory/transfers",
        {
            "container": container,
            "to_clinic": str(world.other_clinic.pk),
            "quantity": "2",
            "unit": "mL",
            "reference": "TR-2026-0042",
            **change,
        },
    )


def test_a_transfer_books_both_locations_together(network: World) -> None:
    vial = stocked(network, 1)[0]["id"]
    response = transfer(network, vial)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["out"]["kind"] == "transfer"
    assert body["out"]["balance_after_mg"] == "400.00"
    assert "Clinic B" in body["out"]["reason"]
    assert B_DEA in body["out"]["reason"]
    assert body["received"]["kind"] == "receive"
    assert body["received"]["quantity_mg"] == "100.00"
    assert body["received"]["counterpart"] == body["out"]["id"]
    there = Container.objects.get(pk=body["container"]["id"])
    assert there.clinic_id == network.other_clinic.pk
    assert there.label == "K00001"  # the receiving location's own sequence
    assert (there.supplier_name, there.supplier_dea) == ("Clinic A", A_DEA)
    assert there.invoice == "TR-2026-0042"
    assert there.lot == "KX2291"
    assert there.balance_mg == Decimal(100)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "11"}, "quantity"),  # 550 mg: more than the vial holds
        ({"unit": "device"}, "unit"),
        ({"to_clinic": "same"}, "to_clinic"),
        ({"reference": "  "}, "reference"),
    ],
)
def test_a_refused_transfer_books_nothing_anywhere(
    network: World, change: dict[str, Any], field: str
) -> None:
    vial = stocked(network, 1)[0]["id"]
    if change.get("to_clinic") == "same":
        change["to_clinic"] = str(network.clinic.pk)
    response = transfer(network, vial, **change)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert LedgerTransaction.objects.exclude(kind="receive").count() == 0
    assert Container.objects.filter(clinic=network.other_clinic).count() == 0
    assert Container.objects.get(pk=vial).balance_mg == Decimal(500)


def test_the_receiving_location_must_be_ready(world: World) -> None:
    """No registration there, no such product there, or not a location of the performer."""
    vial = stocked(world, 1)[0]["id"]
    refused = transfer(world, vial)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "to_clinic"  # the nurse does not work there
    Membership.objects.create(user=world.users["nurse"], clinic=world.other_clinic, role=Role.NURSE)
    registered(world, world.clinic, A_DEA, "Clinic A")
    no_registration = transfer(world, vial)
    assert "no DEA registration" in no_registration.json()["detail"][0]["msg"]
    registered(world, world.other_clinic, B_DEA, "Clinic B")
    no_product = transfer(world, vial)
    assert "add the product NDC 0409-2051-05" in no_product.json()["detail"][0]["msg"]
    assert LedgerTransaction.objects.exclude(kind="receive").count() == 0


def test_expired_stock_is_not_transferred(network: World) -> None:
    vial = stocked(network, 1)[0]["id"]
    Container.objects.filter(pk=vial).update(expires_on=timezone.localdate() - timedelta(days=1))
    response = transfer(network, vial)
    assert response.json()["detail"][0]["loc"][-1] == "container"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 422), ("front_desk", 404), ("patient", 404), ("other_clinic_nurse", 404)],
)
def test_who_may_transfer(network: World, persona: str, status: int) -> None:
    """The prescriber keeps the books here but not at Clinic B; to those who do not keep the
    books anywhere the container does not exist."""
    vial = stocked(network, 1)[0]["id"]
    response = network.api(persona).post(
        "/inventory/transfers",
        {
            "container": vial,
            "to_clinic": str(network.other_clinic.pk),
            "quantity": "1",
            "unit": "mL",
            "reference": "TR-1",
        },
    )
    assert response.status_code == status, response.content
    assert Container.objects.get(pk=vial).balance_mg == Decimal(500)


def test_the_registration(world: World) -> None:
    admin = world.api("admin")
    assert admin.get("/inventory/registration").status_code == 404
    body = {"dea_number": A_DEA, "name": "Clinic A", "address": "10 Main St, Springfield IL"}
    bad = admin.request("PUT", "/inventory/registration", {**body, "dea_number": "AB1234567"})
    assert bad.json()["detail"][0]["loc"][-1] == "dea_number"
    assert world.api("nurse").request("PUT", "/inventory/registration", body).status_code == 403
    assert admin.request("PUT", "/inventory/registration", body).status_code == 200
    changed = admin.request("PUT", "/inventory/registration", {**body, "exact_counts": True})
    assert changed.json()["exact_counts"] is True
    assert world.api("nurse").get("/inventory/registration").json()["dea_number"] == A_DEA
    assert world.api("front_desk").get("/inventory/registration").status_code == 403
    assert world.api("other_clinic_nurse").get("/inventory/registration").status_code == 404
    assert world.api(None).get("/inventory/registration").status_code == 401
    history = Registration.objects.get(clinic=world.clinic).history.all()
    assert [h.exact_counts for h in history] == [True, False]
    assert history[0].history_user == world.users["admin"]


def test_estimates_only_for_opened_containers_and_where_the_state_allows(world: World) -> None:
    vials = stocked(world, 2)
    waste(world, vials[0]["id"])
    opened = {"container": vials[0]["id"], "quantity": "480", "unit": "mg", "estimated": True}
    unopened = {"container": vials[1]["id"], "quantity": "500", "unit": "mg", "estimated": True}
    refused = count(world, [opened, unopened], kind="ad_hoc")
    assert refused.json()["detail"][0]["loc"][-1] == "lines[1].estimated"
    assert count(world, [opened], kind="ad_hoc").status_code == 201
    world.clinic.address = "10 Main St, Springfield IL"
    world.clinic.save()
    call_command("configure_clinic", "Clinic A", "--dea", A_DEA, "--exact-counts", "yes")
    exact = count(world, [opened], kind="ad_hoc")
    assert exact.status_code == 422
    assert "exactly" in exact.json()["detail"][0]["msg"]


def test_exact_counts_need_a_registration_first(world: World) -> None:
    with pytest.raises(CommandError, match="--dea first"):
        call_command("configure_clinic", "Clinic A", "--exact-counts", "yes")
