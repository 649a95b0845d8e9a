"""Evaluations over the API: the decision from the recorded history, overrides, signing,
immutability, amendments and the evaluation gate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ketamine_clinic.evaluations.models import Evaluation
from tests.conftest import World

BODY: dict[str, Any] = {
    "evaluated_on": "2026-01-05",
    "diagnosis": "mdd",
    "product": "iv_racemic",
    "indication": "off_label",
    "episode_months": 18,
    "episode_severity": "severe",
    "systolic_mmhg": 150,
    "diastolic_mmhg": 95,
}


def add_trials(world: World, *outcomes: str) -> None:
    api = world.api("prescriber")
    for n, outcome in enumerate(outcomes):
        response = api.post(
            f"/patients/{world.patient.pk}/treatment-history",
            {
                "kind": "antidepressant",
                "name": f"drug {n}",
                "duration_weeks": 8,
                "adequate": True,
                "outcome": outcome,
            },
        )
        assert response.status_code == 201


def create(world: World, **change: Any) -> Any:
    return world.api("prescriber").post(
        f"/patients/{world.patient.pk}/evaluations", {**BODY, **change}
    )


def test_decision_reads_the_recorded_history(world: World) -> None:
    one = create(world).json()
    assert one["decision"] == "not_eligible"
    assert {r["code"] for r in one["reasons"]} == {"trd_not_met", "blood_pressure_raised"}
    add_trials(world, "no_response", "partial", "no_response")
    again = world.api("prescriber").get(f"/evaluations/{one['id']}").json()
    assert again["decision"] == "eligible_with_precautions"
    assert again["trd"]["adequate_failures"] == 3
    assert again["trd"]["maudsley"]["total"] == 2 + 4 + 2
    reason = again["reasons"][0]
    assert reason["code"] == "blood_pressure_raised"
    assert "150/95" in reason["message"]
    assert "Spravato" in reason["source"]


def test_absolute_contraindication_cannot_be_overridden(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    response = create(
        world,
        aneurysmal_vascular_disease=True,
        overrides={"aneurysmal_vascular_disease": "patient insists strongly"},
    )
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "overrides.aneurysmal_vascular_disease"
    assert "cannot be overridden" in detail["msg"]
    assert Evaluation.objects.count() == 0


def test_relative_contraindication_overridden_with_a_reason(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    body = create(
        world,
        psychosis_history=True,
        systolic_mmhg=120,
        diastolic_mmhg=80,
        overrides={"psychosis_history": "single steroid-induced episode in 2011"},
    ).json()
    assert body["decision"] == "eligible_with_precautions"
    assert body["reasons"][0]["overridden_by_reason"] == "single steroid-induced episode in 2011"


def test_sign_freezes_the_evaluation_and_its_history(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    api = world.api("prescriber")
    draft = create(world).json()
    edited = api.patch(f"/evaluations/{draft['id']}", {"version": 1, "narrative": "Long history."})
    assert edited.status_code == 200
    stale = api.post(f"/evaluations/{draft['id']}/sign", {"version": 1})
    assert stale.status_code == 409
    signed = api.post(f"/evaluations/{draft['id']}/sign", {"version": 2}).json()
    assert signed["sign_status"] == "signed"
    assert signed["decision"] == "eligible_with_precautions"
    # Immutable: no edit, no second signature, and later history does not change it.
    assert (
        api.patch(f"/evaluations/{draft['id']}", {"version": 3, "narrative": "x"}).status_code
        == 409
    )
    assert api.post(f"/evaluations/{draft['id']}/sign", {"version": 3}).status_code == 409
    trial_id = api.get(f"/patients/{world.patient.pk}/treatment-history").json()[0]["id"]
    api.post(
        f"/patients/{world.patient.pk}/treatment-history/{trial_id}/entered-in-error",
        {"version": 1, "reason": "wrong patient"},
    )
    after = api.get(f"/evaluations/{draft['id']}").json()
    assert after["decision"] == "eligible_with_precautions"
    assert after["trd"]["adequate_failures"] == 2


def test_amendment_is_a_new_linked_draft(world: World) -> None:
    api = world.api("prescriber")
    draft = create(world).json()
    assert api.post(f"/evaluations/{draft['id']}/amend").status_code == 409  # not signed yet
    api.post(f"/evaluations/{draft['id']}/sign", {"version": 1})
    amendment = api.post(f"/evaluations/{draft['id']}/amend")
    assert amendment.status_code == 201
    body = amendment.json()
    assert body["amends"] == draft["id"]
    assert body["sign_status"] == "draft"
    assert body["diagnosis"] == "mdd"
    assert Evaluation.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"evaluated_on": "2999-01-01"}, "evaluated_on"),
        ({"diagnosis": "sad"}, "diagnosis"),
        ({"systolic_mmhg": 20}, "systolic_mmhg"),
        ({"medication_classes": ["aspirin"]}, "0"),
        ({"overrides": {"Bad Code": "x" * 20}}, "[key]"),
        ({"episode_months": -1}, "episode_months"),
    ],
)
def test_bad_input_names_the_field(world: World, change: dict[str, Any], field: str) -> None:
    response = create(world, **change)
    assert response.status_code == 422
    assert field in [str(e["loc"][-1]) for e in response.json()["detail"]]


def test_the_evaluation_gate_says_what_is_missing(world: World) -> None:
    api = world.api("nurse")
    path = f"/patients/{world.patient.pk}/eligibility"
    assert api.get(path).json() == {
        "ready": False,
        "product": "iv_racemic",
        "missing": ["a signed evaluation"],
    }
    prescriber = world.api("prescriber")
    draft = create(world).json()
    prescriber.post(f"/evaluations/{draft['id']}/sign", {"version": 1})
    missing = api.get(path).json()["missing"]
    assert missing == ["an evaluation that is not 'not eligible' (the latest signed one is)"]
    add_trials(world, "no_response", "no_response")
    amendment = prescriber.post(f"/evaluations/{draft['id']}/amend").json()
    prescriber.post(f"/evaluations/{amendment['id']}/sign", {"version": 1})
    assert api.get(path).json()["ready"] is True
    esketamine = api.get(path, data={"product": "esketamine_nasal"}).json()
    assert esketamine["missing"] == [
        "an evaluation for esketamine nasal (the latest is for IV racemic ketamine)"
    ]
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        stale = world.api("nurse").get(path).json()["missing"]  # a fresh token: the old expired
    assert stale[0].startswith("an evaluation from the last 365 days")
