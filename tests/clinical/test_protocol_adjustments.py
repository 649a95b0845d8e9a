"""A clinic's copy of a protocol narrows the library protocol and never widens it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.protocol_adjustments import AdjustmentError, adjust, check_key
from ketamine_clinic.clinical.protocols import LIBRARY

IV = LIBRARY["iv-racemic-standard"]
IM = LIBRARY["im-racemic"]
ESK = LIBRARY["esketamine-trd-us"]
ESK_EU = LIBRARY["esketamine-trd-eu"]


def copy(base: Any = IV, **changes: Any) -> Any:
    return adjust(base, key="our-iv", version=1, name="Our IV", changes=changes)


def refused(field: str, base: Any = IV, **changes: Any) -> str:
    with pytest.raises(AdjustmentError) as caught:
        copy(base, **changes)
    assert caught.value.field == field
    return caught.value.message


def test_an_unchanged_copy_is_the_library_protocol_under_a_new_name() -> None:
    protocol = copy()
    assert protocol.id == "our-iv"
    assert protocol.version == "1"
    assert protocol.name == "Our IV"
    assert protocol.based_on == "iv-racemic-standard v1"
    assert protocol.default_mg_per_kg == IV.default_mg_per_kg
    assert protocol.ceiling_mg_per_kg == IV.ceiling_mg_per_kg
    assert protocol.phases == IV.phases
    assert protocol.sources[: len(IV.sources)] == IV.sources
    assert "Adjusted by the clinic" in protocol.sources[-1]


def test_narrowing_the_dose_range_and_a_longer_infusion() -> None:
    protocol = copy(
        max_mg_per_kg="0.75",
        min_mg_per_kg="0.25",
        default_duration_min="50",
        min_duration_min="45",
    )
    assert protocol.max_mg_per_kg == Decimal("0.75")
    assert protocol.min_mg_per_kg == Decimal("0.25")
    assert protocol.default_duration_min == Decimal("50")
    assert protocol.max_duration_min == IV.max_duration_min


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("max_mg_per_kg", "1.0", True),  # the library maximum itself
        ("max_mg_per_kg", "1.001", False),  # a hair above: widening
        ("min_mg_per_kg", "0.1", True),
        ("min_mg_per_kg", "0.099", False),
        ("max_duration_min", "60", True),
        ("max_duration_min", "60.1", False),
        ("min_duration_min", "39.9", False),
    ],
)
def test_library_limits_at_their_boundaries(field: str, value: str, ok: bool) -> None:
    if ok:
        assert getattr(copy(**{field: value}), field) == Decimal(value)
    else:
        assert "outside the library" in refused(field, **{field: value})


def test_default_must_stay_between_minimum_and_maximum() -> None:
    assert "minimum <= default <= maximum" in refused(
        "default_mg_per_kg", max_mg_per_kg="0.4", default_mg_per_kg="0.5"
    )
    assert copy(max_mg_per_kg="0.5", default_mg_per_kg="0.5").max_mg_per_kg == Decimal("0.5")


def test_the_ceiling_and_the_route_cannot_be_adjusted() -> None:
    assert "cannot be adjusted" in refused("ceiling_mg_per_kg", ceiling_mg_per_kg="2")
    refused("route", route="im")
    refused("experimental", experimental=False)


def test_non_numbers_and_missing_fields() -> None:
    assert "not a number" in refused("max_mg_per_kg", max_mg_per_kg="lots")
    refused("max_mg_per_kg", max_mg_per_kg="NaN")
    assert "no infusion duration" in refused("default_duration_min", IM, default_duration_min="40")
    assert "fixed doses" in refused("doses_mg", doses_mg=[56])
    assert "no mg/kg" in refused("max_mg_per_kg", ESK, max_mg_per_kg="1")


def test_esketamine_doses_only_from_the_label_and_keeping_the_start() -> None:
    assert copy(ESK, doses_mg=[56]).doses_mg == (56,)
    assert "not a dose" in refused("doses_mg", ESK, doses_mg=[56, 112])
    assert "starting dose of 56" in refused("doses_mg", ESK, doses_mg=[84])
    assert "starting dose of 28" in refused("doses_mg", ESK_EU, doses_mg=[56, 84])
    refused("doses_mg", ESK, doses_mg=[])
    refused("doses_mg", ESK, doses_mg=[56.0])
    refused("doses_mg", ESK, doses_mg=[True])


def phases(**first: Any) -> list[dict[str, Any]]:
    return [{"name": IV.phases[0].name, **first}, *({"name": p.name} for p in IV.phases[1:])]


def test_twice_weekly_induction_of_eight() -> None:
    protocol = copy(phases=phases(sessions=8, per_week=2, min_hours_apart=72))
    first = protocol.phases[0]
    assert (first.sessions, first.per_week, first.min_hours_apart) == (8, 2, 72)
    assert protocol.phases[1:] == IV.phases[1:]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"per_week": 4}, "phases[0].per_week"),  # more often than the library
        ({"per_week": 0}, "phases[0].per_week"),
        ({"min_hours_apart": 47}, "phases[0].min_hours_apart"),  # closer than 48 h
        ({"sessions": 0}, "phases[0].sessions"),
        ({"sessions": 13}, "phases[0].sessions"),
        ({"per_week": 3, "min_hours_apart": 84}, "phases[0].per_week"),  # 3 x 84 h > a week
        ({"name": "blitz"}, "phases[0].name"),
        ({"colour": "red"}, "phases[0]"),
    ],
)
def test_phase_limits(change: dict[str, Any], field: str) -> None:
    refused(field, phases=phases(**change))


def test_phase_boundaries_that_pass() -> None:
    protocol = copy(phases=phases(sessions=12, per_week=3, min_hours_apart=48))
    assert protocol.phases[0].sessions == 12
    # Two a week 83 hours apart still fits in a week.
    assert copy(phases=phases(per_week=2, min_hours_apart=83)).phases[0].min_hours_apart == 83


def test_as_needed_phases_stay_as_needed_and_all_phases_are_given() -> None:
    as_needed = [{"name": p.name} for p in IV.phases]
    as_needed[-1]["sessions"] = 4
    refused("phases[3].sessions", phases=as_needed)
    refused("phases", phases=phases()[:2])


@pytest.mark.parametrize("key", ["ab", "Our-IV", "-iv", "iv_standard", "x" * 51])
def test_bad_keys(key: str) -> None:
    with pytest.raises(AdjustmentError):
        check_key(key)


def test_a_library_key_cannot_be_reused() -> None:
    with pytest.raises(AdjustmentError, match="library protocol"):
        check_key("iv-racemic-standard")


@given(
    low=st.decimals("0.05", "1.2", places=3),
    default=st.decimals("0.05", "1.2", places=3),
    high=st.decimals("0.05", "1.2", places=3),
)
def test_an_accepted_copy_always_lies_inside_the_library(
    low: Decimal, default: Decimal, high: Decimal
) -> None:
    try:
        protocol = copy(min_mg_per_kg=low, default_mg_per_kg=default, max_mg_per_kg=high)
    except AdjustmentError:
        assert not (IV.min_mg_per_kg <= low <= default <= high <= IV.max_mg_per_kg)  # type: ignore[operator]
        return
    assert IV.min_mg_per_kg <= protocol.min_mg_per_kg  # type: ignore[operator]
    assert protocol.min_mg_per_kg <= protocol.default_mg_per_kg <= protocol.max_mg_per_kg  # type: ignore[operator]
    assert protocol.max_mg_per_kg <= IV.max_mg_per_kg  # type: ignore[operator]
    assert protocol.ceiling_mg_per_kg == IV.ceiling_mg_per_kg


def test_a_clinic_doses_on_adjusted_weight_with_lower_limits() -> None:
    protocol = copy(
        dosing_weight="adjusted",
        max_mg_per_session="100",
        max_mg_per_kg_per_week="2.0",
        weight_max_age_days=14,
    )
    assert protocol.dosing_weight == "adjusted"
    assert protocol.max_mg_per_session == Decimal(100)
    assert protocol.max_mg_per_kg_per_week == Decimal("2.0")
    assert protocol.weight_max_age_days == 14
    capped = copy(dosing_weight="actual_capped", dosing_weight_cap_kg="120")
    assert capped.dosing_weight_cap_kg == Decimal(120)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_mg_per_session": "151"}, "max_mg_per_session"),  # the library's is 150
        ({"max_mg_per_session": "0"}, "max_mg_per_session"),
        ({"max_mg_per_kg_per_week": "3.1"}, "max_mg_per_kg_per_week"),
        ({"max_mg_per_week": "100"}, "max_mg_per_week"),  # IV has a per-kg limit only
        ({"weight_max_age_days": 31}, "weight_max_age_days"),
        ({"weight_max_age_days": 0}, "weight_max_age_days"),
        ({"dosing_weight": "lean"}, "dosing_weight"),
        ({"dosing_weight": "actual_capped"}, "dosing_weight_cap_kg"),
        ({"dosing_weight": "actual_capped", "dosing_weight_cap_kg": "20"}, "dosing_weight_cap_kg"),
        ({"dosing_weight_cap_kg": "100"}, "dosing_weight_cap_kg"),
    ],
)
def test_limits_are_only_lowered(changes: dict[str, object], field: str) -> None:
    with pytest.raises(AdjustmentError) as problem:
        copy(**changes)
    assert problem.value.field == field


def test_a_fixed_dose_protocol_has_no_dosing_weight() -> None:
    with pytest.raises(AdjustmentError) as problem:
        adjust(
            LIBRARY["esketamine-trd-us"],
            key="our-esk",
            version=1,
            name="Our esketamine",
            changes={"dosing_weight": "ideal"},
        )
    assert problem.value.field == "dosing_weight"
    lower = adjust(
        LIBRARY["esketamine-trd-us"],
        key="our-esk",
        version=1,
        name="Our esketamine",
        changes={"max_mg_per_week": 112},
    )
    assert lower.max_mg_per_week == 112
