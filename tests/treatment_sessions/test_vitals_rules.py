"""Vitals at the chair over the API: the pre-dose limits beyond blood pressure, the alerts
with their first steps (and the pump's pause or stop on an infusion), deep sedation, and a
discharge that waits for vitals in range or a prescriber's reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import World
from tests.factories.chair import (
    GOOD_VITALS,
    Chair,
    infusing,
    ready_to_dose,
    start,
    vault,
)


def test_spo2_85_and_a_heart_rate_of_140_block_dosing(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "iv_racemic"), "prescriber")
    ready_to_dose(world, chair, {**GOOD_VITALS, "spo2_pct": 85, "heart_rate_bpm": 140})
    timeline = chair.refresh()
    assert "heart rate 140 is above 130/min: no dosing today" in timeline["pre_dose_problems"]
    assert "SpO2 85% is below 92%: no dosing today" in timeline["pre_dose_problems"]
    refused = chair.post("checks/pass", override_reason="the oximeter is always low on her")
    assert refused.status_code == 409


def test_a_racemic_hold_needs_a_prescriber_and_a_warning_does_not(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "iv_racemic"))
    ready_to_dose(world, chair, {**GOOD_VITALS, "systolic_mmhg": 165, "diastolic_mmhg": 95})
    timeline = chair.refresh()
    assert timeline["pre_dose_overridable"] == [
        "165/95 mmHg is above 160/100: hold the dose unless a prescriber overrides with a reason"
    ]
    assert chair.post("checks/pass").status_code == 409  # a nurse cannot override
    clock.shift(timedelta(minutes=5))
    assert chair.post("vitals", **{**GOOD_VITALS, "systolic_mmhg": 150, "diastolic_mmhg": 95})
    timeline = chair.refresh()
    assert timeline["pre_dose_warnings"] == [
        "150/95 mmHg is above 140/90: watch it during the dose"
    ]
    assert timeline["pre_dose_overridable"] == []
    assert chair.post("checks/pass").status_code == 200


def test_an_alert_on_an_infusion_says_what_to_do(world: World, clock: Any) -> None:
    chair = infusing(world)
    clock.shift(timedelta(minutes=10))
    chair.post("vitals", **{**GOOD_VITALS, "systolic_mmhg": 186, "diastolic_mmhg": 100})
    timeline = chair.refresh()
    assert timeline["alert_pump"] == "pause"
    assert timeline["alert_steps"][0].startswith("Pause the infusion")
    clock.shift(timedelta(minutes=2))
    chair.post("vitals", **{**GOOD_VITALS, "spo2_pct": 89})
    timeline = chair.refresh()
    assert timeline["alerts"] == ["SpO2 89% < 92%"]
    assert timeline["alert_pump"] == "stop"
    page = world.client("nurse").get(f"/chair/{chair.id}/").content.decode()
    assert "Stop the pump now" in page
    assert "give oxygen" in page


def test_moaas_1_is_an_alert(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    assert chair.post("checks/pass").status_code == 200
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert chair.post("observations", scale="moaas", score=1).status_code == 201
    timeline = chair.refresh()
    assert timeline["alerts"] == ["MOAA/S 1: deep sedation"]
    assert "call the prescriber at once" in timeline["alert_steps"][0]
    assert timeline["alert_pump"] is None  # no infusion to stop


def test_discharge_at_175_108_waits_for_a_prescriber(world: World, clock: Any) -> None:
    chair = infusing(world)
    clock.shift(timedelta(minutes=40))
    assert chair.post("doses", action="iv_stop", given_mg="35").status_code == 201
    clock.shift(timedelta(minutes=31))
    chair.post("observations", scale="moaas", score=5)
    chair.post(
        "vitals",
        **{**GOOD_VITALS, "systolic_mmhg": 175, "diastolic_mmhg": 108, "heart_rate_bpm": 105},
    )
    refused = chair.post("ready", responsible_adult="Pat Walker")
    assert refused.status_code == 409
    assert "175/108 mmHg is above 160/100" in refused.json()["detail"]
    nurse_says = chair.post(
        "ready", responsible_adult="Pat Walker", vitals_override_reason="she feels fine"
    )
    assert nurse_says.status_code == 403
    prescriber = Chair(world, chair.id, "prescriber")
    prescriber.refresh()
    short = prescriber.post("ready", responsible_adult="Pat Walker", vitals_override_reason="ok")
    assert short.json()["detail"][0]["loc"][-1] == "vitals_override_reason"
    ready = prescriber.post(
        "ready",
        responsible_adult="Pat Walker",
        vitals_override_reason="her usual BP; seen by me, asymptomatic, GP follows up tomorrow",
    )
    assert ready.status_code == 200, ready.content
    assert ready.json()["state"] == "ready_for_discharge"
    from ketamine_clinic.treatment_sessions.models import TreatmentSession

    session = TreatmentSession.objects.get(pk=chair.id)
    assert session.discharge_override_by == world.users["prescriber"]
    assert session.discharge_override_reason.startswith("her usual BP")


def test_signs_of_intoxication_stop_dosing_today(world: World, clock: Any) -> None:
    from tests.treatment_sessions.test_api import CHECKS

    chair = Chair(world, start(world, "iv_racemic"), "prescriber")
    ready_to_dose(world, chair)
    clock.shift(timedelta(minutes=2))
    assert chair.post("checks", **{**CHECKS, "intoxicated": True}).status_code == 201
    refused = chair.post("checks/pass", override_reason="he says he only had one beer")
    assert refused.status_code == 409
    assert "signs of intoxication today: no dosing" in refused.json()["detail"]
    page = world.client("nurse").get(f"/chair/{chair.id}/").content.decode()
    assert "SIGNS OF INTOXICATION" in page


def test_urinary_symptoms_are_asked_at_each_dose_and_shown_on_the_chart(
    world: World, clock: Any
) -> None:
    """Spravato US label 5.9: monitor for urinary tract and bladder symptoms during the course.
    A report is a warning at the chair (no hold) and stays on the chart."""
    from tests.treatment_sessions.test_api import CHECKS, vault

    chair = Chair(world, start(world, "im_racemic"))
    ready_to_dose(world, chair)
    clock.shift(timedelta(minutes=1))
    assert chair.post("checks", **{**CHECKS, "urinary_symptoms": "present"}).status_code == 201
    body = chair.refresh()
    assert any("cystitis" in w for w in body["pre_dose_warnings"]), body["pre_dose_warnings"]
    assert chair.post("checks/pass").status_code == 200
    given = chair.post(
        "doses", action="im_injection", drawn_mg="35", given_mg="35",
        container=vault(world)["ketamine"],
    )  # fmt: skip
    assert given.status_code == 201, given.content
    client = world.client("prescriber")
    section = client.get(f"/patients/{world.patient.pk}/courses/").content.decode()
    assert "Safety of repeated dosing" in section
    assert "symptoms reported" in section
    assert "Spravato US label 5.9" in section
    assert "no published interval" in section
    assert "not asked at the last session" not in section
    bad = chair.post("checks", **{**CHECKS, "urinary_symptoms": "sometimes"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "urinary_symptoms"
