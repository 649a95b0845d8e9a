"""Pre-dose blood pressure rules, monitoring alerts and clinic thresholds at their boundaries."""

from __future__ import annotations

import pytest

from ketamine_clinic.clinical.vital_signs import (
    Reading,
    ThresholdError,
    Thresholds,
    alerts,
    implausible,
    pre_dose_bp,
    thresholds,
)

DEFAULT = Thresholds()


@pytest.mark.parametrize(
    ("bp", "product", "verdict"),
    [
        ((140, 90), "esketamine_nasal", "ok"),  # at the label's limit: not above it
        ((141, 90), "esketamine_nasal", "hold"),
        ((140, 91), "esketamine_nasal", "hold"),
        ((150, 95), "iv_racemic", "ok"),  # Ms. Chen: a warning on her chart, within limits
        ((180, 110), "iv_racemic", "ok"),
        ((181, 110), "iv_racemic", "no_dosing"),
        ((180, 111), "iv_racemic", "no_dosing"),
        ((181, 80), "esketamine_nasal", "no_dosing"),  # the harder rule wins
    ],
)
def test_pre_dose_blood_pressure(bp: tuple[int, int], product: str, verdict: str) -> None:
    result = pre_dose_bp(bp[0], bp[1], product, DEFAULT)
    assert result.verdict == verdict
    assert f"{bp[0]}/{bp[1]} mmHg" in result.message


@pytest.mark.parametrize(
    ("reading", "expected"),
    [
        (Reading(180, 110, 110, 92, 10), []),
        (Reading(181, 80), ["systolic 181 > 180 mmHg"]),
        (Reading(150, 111), ["diastolic 111 > 110 mmHg"]),
        (Reading(heart_rate_bpm=111), ["heart rate 111 > 110/min"]),
        (Reading(spo2_pct=91), ["SpO2 91% < 92%"]),
        (Reading(respiratory_rate_per_min=9), ["respiratory rate 9 < 10/min"]),
    ],
)
def test_alerts_at_their_boundaries(reading: Reading, expected: list[str]) -> None:
    assert alerts(reading, DEFAULT) == expected


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        (Reading(), "vitals"),
        (Reading(1200, 80), "systolic_mmhg"),
        (Reading(120, None), "diastolic_mmhg"),
        (Reading(120, 130), "diastolic_mmhg"),
        (Reading(spo2_pct=101), "spo2_pct"),
        (Reading(heart_rate_bpm=0), "heart_rate_bpm"),
    ],
)
def test_implausible_readings_name_the_field(reading: Reading, field: str) -> None:
    problem = implausible(reading)
    assert problem is not None
    assert problem[0] == field


def test_plausible_reading() -> None:
    assert implausible(Reading(120, 80, 70, 98, 14)) is None


def test_clinic_thresholds() -> None:
    custom = thresholds({"esketamine_hold_mmhg": [150, 95], "alert_heart_rate_above": 120})
    assert custom.esketamine_hold_mmhg == (150, 95)
    assert pre_dose_bp(145, 92, "esketamine_nasal", custom).verdict == "ok"
    assert alerts(Reading(heart_rate_bpm=115), custom) == []
    assert thresholds(None) == DEFAULT


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"bp_limit": 1}, "bp_limit"),
        ({"no_dosing_mmhg": [180]}, "no_dosing_mmhg"),
        ({"no_dosing_mmhg": [400, 110]}, "no_dosing_mmhg"),
        ({"alert_spo2_below": True}, "alert_spo2_below"),
        ({"alert_spo2_below": 0}, "alert_spo2_below"),
    ],
)
def test_bad_clinic_thresholds_are_refused(settings: dict[str, object], field: str) -> None:
    with pytest.raises(ThresholdError) as caught:
        thresholds(settings)
    assert caught.value.field == field
