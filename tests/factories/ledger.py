"""The ledger for tests: a product, a receipt, a stocked vault, waste and a count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ketamine_clinic.inventory.models import Product
from tests.conftest import PASSWORD, World

VIAL = {
    "name": "Ketamine HCl 50 mg/mL, 10 mL vial",
    "ndc": "0409-2051-05",
    "substance": "ketamine",
    "form": "vial, 10 mL",
    "concentration_mg_per_ml": "50",
    "container_mg": "500",
}


def receipt(product_id: str, count: int = 3, **change: Any) -> dict[str, Any]:
    return {
        "product": product_id,
        "count": count,
        "lot": "KX2291",
        "expires_on": (timezone.localdate() + timedelta(days=300)).isoformat(),
        "received_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "supplier_name": "Medline Pharma",
        "supplier_address": "1 Supply Way, Chicago IL",
        "supplier_dea": "RM1234563",
        "invoice": "INV-88812",
        **change,
    }


def product_id(world: World) -> str:
    """The clinic's 50 mg/mL vial, added by the admin the first time."""
    found = Product.objects.filter(ndc=VIAL["ndc"], clinic=world.clinic).first()
    if found is not None:
        return str(found.pk)
    return str(world.api("admin").post("/inventory/products", VIAL).json()["id"])


def stocked(world: World, count: int = 3) -> list[dict[str, Any]]:
    response = world.api("nurse").post("/inventory/lots", receipt(product_id(world), count))
    assert response.status_code == 201, response.content
    return response.json()


def waste(world: World, container: str, **change: Any) -> Any:
    return world.api("nurse").post(
        "/inventory/transactions",
        {
            "container": container,
            "kind": "waste",
            "quantity": "15",
            "unit": "mg",
            "witness_username": "prescriber",
            "witness_password": PASSWORD,
            **change,
        },
    )


def count(world: World, lines: list[dict[str, Any]], persona: str = "nurse", **change: Any) -> Any:
    return world.api(persona).post(
        "/inventory/counts",
        {"kind": "biennial", "time_of_day": "close", "lines": lines, **change},
    )
