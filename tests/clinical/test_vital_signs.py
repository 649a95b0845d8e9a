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
    pre_dose_vitals,
    sedation_alert,
    suggestion,
    thresholds,
    vital_alerts,
)

DEFAULT = Thresholds()


@pytest.mark.parametrize(
    ("bp", "product", "verdict"),
    [
        ((140, 90), "esketamine_nasal", "ok"),  # at the label's limit: not above it
        ((141, 90), "esketamine_nasal", "hold"),
        ((140, 91), "esketamine_nasal", "hold"),
        ((140, 90), "iv_racemic", "ok"),
        ((141, 90), "iv_racemic", "warn"),
        ((150, 95), "iv_racemic", "warn"),  # Ms. Chen: a warning, within limits (journey 2)
        ((160, 100), "iv_racemic", "warn"),
        ((161, 100), "iv_racemic", "hold"),  # JNC 7 stage 2: a prescriber decides
        ((160, 101), "im_racemic", "hold"),
        ((180, 110), "iv_racemic", "hold"),
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
        (Reading(91, 60, 50), []),
        (Reading(90, 60), ["systolic 90 < 91 mmHg"]),
        (Reading(heart_rate_bpm=49), ["heart rate 49 < 50/min"]),
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


def test_clinic_thresholds_tighten() -> None:
    custom = thresholds({"esketamine_hold_mmhg": [130, 85], "alert_heart_rate_above": 100})
    assert custom.esketamine_hold_mmhg == (130, 85)
    assert pre_dose_bp(135, 80, "esketamine_nasal", custom).verdict == "hold"
    assert alerts(Reading(heart_rate_bpm=105), custom) == ["heart rate 105 > 100/min"]
    assert thresholds({"alert_spo2_below": 94, "alert_moaas_at_or_below": 2}).alert_spo2_below == 94
    assert thresholds(None) == DEFAULT


@pytest.mark.parametrize(
    "settings",
    [
        {"esketamine_hold_mmhg": [150, 95]},
        {"esketamine_hold_mmhg": [141, 90]},
        {"no_dosing_mmhg": [180, 111]},
        {"alert_heart_rate_above": 111},
        {"alert_spo2_below": 91},
        {"no_dosing_spo2_below": 91},
        {"alert_moaas_at_or_below": 0},
        {"infusion_vitals_every_min": 11},
        {"racemic_min_observation_after_dose_min": 29},
        {"esketamine_bp_at_min": 60},
    ],
)
def test_a_clinic_never_relaxes_a_threshold(settings: dict[str, object]) -> None:
    with pytest.raises(ThresholdError) as caught:
        thresholds(settings)
    assert caught.value.field == next(iter(settings))


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


# NEWS2 bands before dosing: red (3 points) stops dosing, 2 points holds for a prescriber.
@pytest.mark.parametrize(
    ("hr", "spo2", "rr", "stop", "hold"),
    [
        (70, 98, 14, [], []),
        (131, None, None, ["heart rate 131 is above 130/min: no dosing today"], []),
        (130, None, None, [], ["heart rate 130 is above 110/min: hold the dose"]),
        (111, None, None, [], ["heart rate 111 is above 110/min: hold the dose"]),
        (110, None, None, [], []),
        (50, None, None, [], []),
        (49, None, None, [], ["heart rate 49 is below 50/min: hold the dose"]),
        (41, None, None, [], ["heart rate 41 is below 50/min: hold the dose"]),
        (40, None, None, ["heart rate 40 is below 41/min: no dosing today"], []),
        (None, 94, None, [], []),
        (None, 93, None, [], ["SpO2 93% is below 94%: hold the dose"]),
        (None, 92, None, [], ["SpO2 92% is below 94%: hold the dose"]),
        (None, 91, None, ["SpO2 91% is below 92%: no dosing today"], []),
        (None, None, 20, [], []),
        (None, None, 21, [], ["respiratory rate 21 is above 20/min: hold the dose"]),
        (None, None, 25, ["respiratory rate 25 is above 24/min: no dosing today"], []),
        (None, None, 9, [], []),
        (None, None, 8, ["respiratory rate 8 is below 9/min: no dosing today"], []),
    ],
)
def test_pre_dose_heart_rate_spo2_and_breathing(
    hr: int | None, spo2: int | None, rr: int | None, stop: list[str], hold: list[str]
) -> None:
    assert pre_dose_vitals(hr, spo2, rr, DEFAULT) == (stop, hold)


def test_spo2_85_with_a_heart_rate_of_140_is_never_clear() -> None:
    stop, _ = pre_dose_vitals(140, 85, 14, DEFAULT)
    assert len(stop) == 2


def test_each_alert_has_a_first_step_and_stop_beats_pause_on_an_infusion() -> None:
    found = vital_alerts(Reading(190, 100, 45, 89), DEFAULT)
    kinds = [a.kind for a in found]
    assert kinds == ["hypertension", "bradycardia", "desaturation"]
    pump, steps = suggestion(kinds, infusing=True)
    assert pump == "stop"
    assert steps[0].startswith("Pause the infusion")
    assert len(steps) == 3
    assert suggestion(["hypertension"], infusing=True)[0] == "pause"
    pump, steps = suggestion(["desaturation"], infusing=False)
    assert pump is None
    assert steps == ["Open the airway, prompt deep breaths, give oxygen, call the prescriber"]


@pytest.mark.parametrize(
    ("moaas", "alert"), [(None, False), (5, False), (2, False), (1, True), (0, True)]
)
def test_deep_sedation_alerts_at_moaas_1_or_less(moaas: int | None, alert: bool) -> None:
    assert (sedation_alert(moaas, DEFAULT) is not None) is alert


def test_every_threshold_has_a_label_with_its_unit() -> None:
    """The clinic settings screen names each threshold in words; none is left as its key."""
    from ketamine_clinic.clinical.vital_signs import THRESHOLD_KEYS, THRESHOLD_LABELS

    assert set(THRESHOLD_LABELS) == THRESHOLD_KEYS
    for key, label in THRESHOLD_LABELS.items():
        assert "_" not in label, key
        if key.endswith("mmhg"):
            assert label.endswith("(mmHg)"), key
