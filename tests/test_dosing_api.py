"""The protocol library and the dose calculator over the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import World

IV = {
    "protocol": "iv-racemic-standard",
    "dose_mg_per_kg": "0.5",
    "concentration_mg_per_ml": "10",
    "duration_min": "40",
}


def test_protocols(world: World) -> None:
    body = {p["id"]: p for p in world.api("nurse").get("/protocols").json()}
    assert body["iv-racemic-standard"]["default_mg_per_kg"] == "0.5"
    assert body["esketamine-trd-eu"]["start_mg_65_plus"] == 28
    assert body["oral-racemic-experimental"]["experimental"] is True
    assert all(p["sources"] for p in body.values())


def test_calculation_from_the_patients_recorded_weight(world: World) -> None:
    response = world.api("nurse").post(
        "/dosing/calculate", {**IV, "patient": str(world.patient.pk)}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dose_mg"], body["volume_ml"], body["rate_ml_per_h"]) == ("35.0", "3.50", "5.25")
    assert [s["what"] for s in body["steps"]] == ["Dose", "Volume to draw", "Pump rate"]
    assert body["accepted"] is True
    assert body["warnings"] == []


def test_esketamine_devices(world: World) -> None:
    body = (
        world.api("prescriber")
        .post(
            "/dosing/calculate",
            {"protocol": "esketamine-trd-us", "dose_mg": 56, "patient": str(world.patient.pk)},
        )
        .json()
    )
    assert [(d["number"], d["at_min"]) for d in body["devices"]] == [(1, 0), (2, 5)]


def test_override_zone_and_ceiling(world: World) -> None:
    api = world.api("prescriber")
    high = api.post(
        "/dosing/calculate",
        {**IV, "weight_kg": "70", "weight_measured_on": "2026-01-01", "dose_mg_per_kg": "1.2"},
    ).json()
    assert high["accepted"] is False
    assert "above the protocol's maximum" in high["needs_override"][0]
    ok = api.post(
        "/dosing/calculate",
        {
            **IV,
            "weight_kg": "70",
            "weight_measured_on": "2026-01-01",
            "dose_mg_per_kg": "1.2",
            "override_reason": "no response at 1.0 after 4",
        },
    ).json()
    assert ok["accepted"] is True
    ceiling = api.post(
        "/dosing/calculate",
        {
            **IV,
            "weight_kg": "70",
            "weight_measured_on": "2026-01-01",
            "dose_mg_per_kg": "2.0",
            "override_reason": "a long enough reason",
        },
    )
    assert ceiling.status_code == 422
    assert ceiling.json()["detail"][0]["loc"][-1] == "dose_mg_per_kg"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"protocol": "magic"}, "protocol"),
        ({"concentration_mg_per_ml": "0"}, "concentration_mg_per_ml"),
        ({"duration_min": "0"}, "duration_min"),
        ({"weight_kg": "500"}, "weight_kg"),
        ({"weight_kg": None, "weight_measured_on": None}, "weight_kg"),
        ({"dose_mg_per_kg": "-1"}, "dose_mg_per_kg"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    world: World, change: dict[str, Any], field: str
) -> None:
    body = {**IV, "weight_kg": "70", "weight_measured_on": "2026-01-01", **change}
    response = world.api("nurse").post(
        "/dosing/calculate", {k: v for k, v in body.items() if v is not None}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_stale_weight_warns(world: World) -> None:
    from ketamine_clinic.patients.models import BodyMeasurement

    BodyMeasurement.objects.filter(patient=world.patient).update(
        measured_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    body = (
        world.api("nurse")
        .post("/dosing/calculate", {**IV, "patient": str(world.patient.pk)})
        .json()
    )
    assert "days old" in body["warnings"][0]


@pytest.mark.parametrize(
    ("role", "protocols", "calc"),
    [
        ("admin", 200, 403),
        ("prescriber", 200, 200),
        ("nurse", 200, 200),
        ("front_desk", 403, 403),
        ("patient", 403, 403),
        ("other_clinic_nurse", 200, 404),
        (None, 401, 401),
    ],
)
def test_permissions(world: World, role: str | None, protocols: int, calc: int) -> None:
    api = world.api(role)
    assert api.get("/protocols").status_code == protocols
    response = api.post("/dosing/calculate", {**IV, "patient": str(world.patient.pk)})
    assert response.status_code == calc
