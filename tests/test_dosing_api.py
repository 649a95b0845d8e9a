"""The protocol library and the dose calculator over the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import World

IV = {
    "protocol": "iv-racemic-standard",
    "dose_mg_per_kg": "0.5",
    "duration_min": "40",
}


def test_protocols(world: World) -> None:
    body = {p["id"]: p for p in world.api("nurse").get("/protocols").json()}
    assert body["iv-racemic-standard"]["default_mg_per_kg"] == "0.5"
    assert body["esketamine-trd-eu"]["start_mg_65_plus"] == 28
    assert body["oral-racemic-experimental"]["experimental"] is True
    assert all(p["sources"] for p in body.values())


def recent() -> str:
    return (timezone.localdate() - timedelta(days=3)).isoformat()


def test_calculation_from_the_patients_recorded_weight(world: World) -> None:
    response = world.api("nurse").post(
        "/dosing/calculate", {**IV, **world.infusion(), "patient": str(world.patient.pk)}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dose_mg"], body["volume_ml"], body["diluent_ml"]) == ("35.0", "3.50", "46.50")
    assert (body["final_volume_ml"], body["final_mg_per_ml"]) == ("50", "0.700")
    assert (body["rate_ml_per_h"], body["stock_mg_per_ml"]) == ("75.0", "10.000")
    assert body["dosing_weight_kg"] == "70.00"
    assert body["dosing_weight"]["policy"] == "actual"
    assert [s["what"] for s in body["steps"]] == [
        "Dosing weight",
        "Dose",
        "Draw from Ketamine 10 mg/mL",
        "Add 0.9% sodium chloride",
        "Final concentration",
        "Pump rate",
    ]
    assert body["accepted"] is True
    assert body["warnings"] == []


def test_the_stock_concentration_comes_from_the_vault_never_from_the_request(
    world: World,
) -> None:
    api = world.api("prescriber")
    typed = api.post(
        "/dosing/calculate",
        {**IV, "patient": str(world.patient.pk), "concentration_mg_per_ml": "1"},
    )
    assert typed.status_code == 422
    assert typed.json()["detail"][0]["loc"][-1] == "concentration_mg_per_ml"
    theirs = world.vial(50, clinic=world.other_clinic)
    refused = api.post(
        "/dosing/calculate",
        {
            **IV,
            **world.infusion(),
            "patient": str(world.patient.pk),
            "stock_product": str(theirs.pk),
        },
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "stock_product"


def test_a_client_supplied_history_is_refused(world: World) -> None:
    response = world.api("prescriber").post(
        "/dosing/calculate",
        {
            "protocol": "esketamine-trd-us",
            "dose_mg": 84,
            "patient": str(world.patient.pk),
            "previous_doses_mg": [56],
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "previous_doses_mg"
    without = world.api("prescriber").post(
        "/dosing/calculate",
        {"protocol": "esketamine-trd-us", "dose_mg": 84, "patient": str(world.patient.pk)},
    )
    assert without.json()["needs_override"] == ["the first dose of this protocol is 56 mg"]


def test_with_a_patient_their_record_is_used_not_typed_facts(world: World) -> None:
    response = world.api("prescriber").post(
        "/dosing/calculate", {**IV, "patient": str(world.patient.pk), "weight_kg": "40"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "weight_kg"


def test_a_140_kg_patient_on_adjusted_body_weight_without_a_patient(world: World) -> None:
    body = (
        world.api("prescriber")
        .post(
            "/dosing/calculate",
            {
                **IV,
                **world.infusion(final_volume_ml="100"),
                "weight_kg": "140",
                "weight_measured_on": recent(),
                "height_cm": "180",
                "sex": "male",
            },
        )
        .json()
    )
    assert body["dosing_weight_kg"] == "140"  # the library doses on actual body weight
    assert (body["dose_mg"], body["rate_ml_per_h"]) == ("70.0", "150.0")
    assert "first dose" in body["warnings"][-1]


def test_an_under_18_esketamine_patient_is_refused(world: World) -> None:
    response = world.api("prescriber").post(
        "/dosing/calculate", {"protocol": "esketamine-trd-us", "dose_mg": 56, "age_years": 16}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "age_years"


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
        {**IV, "weight_kg": "70", "weight_measured_on": recent(), "dose_mg_per_kg": "1.2"},
    ).json()
    assert high["accepted"] is False
    assert "above the protocol's maximum" in high["needs_override"][0]
    ok = api.post(
        "/dosing/calculate",
        {
            **IV,
            "weight_kg": "70",
            "weight_measured_on": recent(),
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
            "weight_measured_on": recent(),
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
        ({"concentration_mg_per_ml": "10"}, "concentration_mg_per_ml"),
        ({"duration_min": "0"}, "duration_min"),
        ({"duration_min": "5"}, "duration_min"),
        ({"diluent": "water"}, "diluent"),
        ({"final_volume_ml": "5"}, "final_volume_ml"),
        ({"dose_mg_per_kg": "1.5", "weight_kg": "101"}, "dose_mg_per_kg"),
        ({"weight_kg": "500"}, "weight_kg"),
        ({"weight_kg": None, "weight_measured_on": None}, "weight_kg"),
        ({"dose_mg_per_kg": "-1"}, "dose_mg_per_kg"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    world: World, change: dict[str, Any], field: str
) -> None:
    body = {**IV, **world.infusion(), "weight_kg": "70", "weight_measured_on": recent(), **change}
    response = world.api("nurse").post(
        "/dosing/calculate", {k: v for k, v in body.items() if v is not None}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_a_stale_weight_needs_a_prescribers_confirmation(world: World) -> None:
    from ketamine_clinic.patients.models import BodyMeasurement

    BodyMeasurement.objects.filter(patient=world.patient).update(
        measured_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    body = (
        world.api("nurse")
        .post("/dosing/calculate", {**IV, "patient": str(world.patient.pk)})
        .json()
    )
    assert "days old" in body["needs_override"][0]
    assert body["accepted"] is False


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


def test_the_liver_comes_from_the_signed_evaluation(world: World) -> None:
    from ketamine_clinic.accounts.audit import Actor
    from ketamine_clinic.accounts.roles import Role
    from ketamine_clinic.evaluations import actions as evaluation_actions
    from ketamine_clinic.patients.access import PatientAccess

    actor = Actor(user=world.users["prescriber"])
    access = PatientAccess(world.patient, Role.PRESCRIBER)
    evaluation = evaluation_actions.create_evaluation(
        actor,
        access,
        {
            "evaluated_on": timezone.localdate(),
            "diagnosis": "mdd",
            "product": "esketamine_nasal",
            "indication": "trd",
            "episode_months": 12,
            "episode_severity": "moderate",
            "systolic_mmhg": 120,
            "diastolic_mmhg": 80,
            "hepatic_impairment": "moderate",
        },
    )
    api = world.api("prescriber")
    body = {"protocol": "esketamine-trd-us", "dose_mg": 56, "patient": str(world.patient.pk)}
    assert api.post("/dosing/calculate", body).json()["warnings"] == []  # a draft counts not
    evaluation_actions.sign_evaluation(actor, access, evaluation, evaluation.version)
    answer = api.post("/dosing/calculate", body).json()
    assert answer["warnings"] == ["moderate hepatic impairment: monitor for longer after the dose"]
    typed = api.post("/dosing/calculate", {**body, "hepatic_impairment": "none"})
    assert typed.status_code == 422
    assert typed.json()["detail"][0]["loc"][-1] == "hepatic_impairment"
