"""What is due at the chair, the esketamine device spacing, and the discharge criteria."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.chair import (
    DischargeFacts,
    PumpEvent,
    device_wait_s,
    discharge_problems,
    due_now,
    infused_mg,
    infused_mismatch,
    infused_ml,
    observation_ranges,
)
from ketamine_clinic.clinical.vital_signs import Reading, Thresholds

LIMITS = Thresholds()


def test_infusion_vitals_every_ten_minutes_then_fifteen() -> None:
    (due,) = due_now("iv", 9, True, [0], [], LIMITS)
    assert (due.at_min, due.overdue) == (10, False)
    (late,) = due_now("iv", 11, True, [0], [], LIMITS)
    assert late.overdue
    (after,) = due_now("iv", 45, False, [0, 10, 20, 30, 40], [], LIMITS)
    assert after.at_min == 55
    assert not after.overdue


def test_esketamine_blood_pressure_at_forty_minutes() -> None:
    (due,) = due_now("intranasal", 30, False, [], [], LIMITS)
    assert (due.at_min, due.overdue) == (40, False)
    assert due_now("intranasal", 60, False, [41], [41], LIMITS) == []
    (late,) = due_now("intranasal", 51, False, [], [20], LIMITS)
    assert late.overdue


@pytest.mark.parametrize(
    ("previous", "now", "wait"),
    [(None, 0, 0), (0, 4.99, 1), (0, 5, 0), (0, 2, 180), (10, 12.5, 150)],
)
def test_devices_five_minutes_apart(previous: float | None, now: float, wait: int) -> None:
    assert device_wait_s(previous, now) == wait


@given(st.floats(0, 100), st.floats(0, 20))
def test_device_wait_is_never_negative_and_never_more_than_five_minutes(
    previous: float, gap: float
) -> None:
    wait = device_wait_s(previous, previous + gap)
    assert 0 <= wait <= 300
    assert (wait == 0) == (gap >= 5)


READY = DischargeFacts(
    product="esketamine_nasal",
    minutes_since_first_dose=120,
    minutes_since_last_dose=110,
    dosing_complete=True,
    latest_moaas=5,
    dissociation_resolved=True,
    open_adverse_events=(),
    latest_vitals=Reading(130, 80, 72, 98, 14),
    minutes_since_latest_vitals=5,
    responsible_adult=True,
)


def test_ready_to_go() -> None:
    assert discharge_problems(READY, LIMITS) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"minutes_since_first_dose": 119.5}, "at least 120 minutes of observation (1 min to go)"),
        ({"latest_moaas": 4}, "MOAA/S 4; needs 5"),
        ({"latest_moaas": None}, "MOAA/S not rated"),
        ({"dissociation_resolved": False}, "dissociation"),
        ({"open_adverse_events": ("nausea",)}, "unresolved adverse events: nausea"),
        ({"latest_vitals": None, "minutes_since_latest_vitals": None}, "no vitals"),
        ({"minutes_since_latest_vitals": 31}, "31 min old"),
        ({"latest_vitals": Reading(185, 95)}, "not in range before leaving: systolic 185"),
        ({"latest_vitals": Reading(175, 108, 105)}, "175/108 mmHg is above 140/90"),
        ({"latest_vitals": Reading(120, 80, 115, 93, 22)}, "heart rate 115 > 110/min; SpO2 93%"),
        ({"responsible_adult": False}, "responsible adult"),
        ({"dosing_complete": False}, "dosing is not finished"),
    ],
)
def test_each_criterion(change: dict[str, object], problem: str) -> None:
    problems = discharge_problems(replace(READY, **change), LIMITS)  # type: ignore[arg-type]
    assert len(problems) == 1
    assert problem in problems[0]


def test_discharge_vitals_in_range_or_a_prescribers_decision() -> None:
    at_175 = replace(READY, product="iv_racemic", latest_vitals=Reading(175, 108, 105))
    (problem,) = discharge_problems(at_175, LIMITS)
    assert "175/108 mmHg is above 160/100" in problem
    assert "a prescriber decides" in problem
    assert discharge_problems(replace(at_175, vitals_override=True), LIMITS) == []
    esketamine = replace(
        READY,
        product="esketamine_nasal",
        minutes_since_first_dose=125,
        latest_vitals=Reading(145, 85),
    )
    assert "145/85 mmHg is above 140/90" in discharge_problems(esketamine, LIMITS)[0]
    assert discharge_problems(replace(esketamine, latest_vitals=Reading(140, 90)), LIMITS) == []


def test_racemic_observation_counts_from_the_last_dose() -> None:
    iv = replace(READY, product="iv_racemic", minutes_since_first_dose=70)
    assert discharge_problems(replace(iv, minutes_since_last_dose=30), LIMITS) == []
    (problem,) = discharge_problems(replace(iv, minutes_since_last_dose=29), LIMITS)
    assert "30 minutes of observation" in problem


# --- What the pump infused -------------------------------------------------------------------


def pump(*events: tuple[str, str, str | None]) -> list[PumpEvent]:
    return [PumpEvent(a, Decimal(t), Decimal(r) if r else None) for a, t, r in events]


def test_an_infusion_stopped_after_43_seconds_infused_under_half_a_milligram() -> None:
    # 35 mg in 50 mL at 75 mL/h: 43 s run 0.896 mL = 0.63 mg, not the 35 mg ordered.
    events = pump(("iv_start", "0", "75"))
    assert infused_mg(events, Decimal(43) / 60, Decimal("0.7"), Decimal(35)) == Decimal("0.63")


def test_pauses_and_rate_changes_count() -> None:
    events = pump(
        ("iv_start", "0", "75"),  # 10 min at 75 = 12.5 mL
        ("iv_pause", "10", None),
        ("iv_resume", "15", None),  # 10 min at 75 = 12.5 mL
        ("iv_rate", "25", "37.5"),  # 20 min at 37.5 = 12.5 mL
    )
    assert infused_ml(events, Decimal(45)) == Decimal("37.5")
    assert infused_mg(events, Decimal(45), Decimal("0.7"), Decimal(35)) == Decimal("26.25")
    assert infused_mg(events, Decimal(500), Decimal("0.7"), Decimal(35)) == Decimal(35)  # empty


@pytest.mark.parametrize(
    ("recorded", "mismatch"), [("33.25", False), ("33.24", True), ("36.75", False), ("36.76", True)]
)
def test_the_tolerance_is_five_percent_of_the_dose_or_one_mg(recorded: str, mismatch: bool) -> None:
    assert infused_mismatch(Decimal(recorded), Decimal(35), Decimal(35)) is mismatch
    assert infused_mismatch(Decimal("1.5"), Decimal("0.5"), Decimal(5)) is False  # 1 mg floor
    assert infused_mismatch(Decimal("1.51"), Decimal("0.5"), Decimal(5)) is True


@given(
    stretches=st.lists(
        st.tuples(st.integers(1, 30), st.integers(1, 300), st.booleans()), min_size=1, max_size=6
    )
)
def test_infused_volume_is_the_sum_of_the_running_stretches(
    stretches: list[tuple[int, int, bool]],
) -> None:
    events, t, expected = [], Decimal(0), Decimal(0)
    for minutes, rate, paused_after in stretches:
        events.append(PumpEvent("iv_rate" if events else "iv_start", t, Decimal(rate)))
        expected += Decimal(rate) * minutes / 60
        t += minutes
        if paused_after:
            events.append(PumpEvent("iv_pause", t))
            t += 5
            events.append(PumpEvent("iv_resume", t))
    assert abs(infused_ml(events, t) - expected) < Decimal("1e-20")


def test_chair_scale_ranges_are_the_instruments_totals() -> None:
    assert observation_ranges() == {"moaas": (0, 5), "cadss": (0, 92), "bprs_plus": (4, 28)}
