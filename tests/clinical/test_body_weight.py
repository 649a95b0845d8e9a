"""Dosing weight: Devine's ideal body weight, the adjusted weight, the cap, and the one
invariant that makes every policy safe: it never gives more than the actual weight."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.body_weight import (
    POLICIES,
    DosingWeightError,
    dosing_weight,
    ideal_body_weight,
)
from ketamine_clinic.clinical.units import Kg

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("height", "sex", "ibw"),
    [
        ("152.4", "male", "50.0"),  # exactly 5 feet: the formula's base
        ("152.4", "female", "45.5"),
        ("177.8", "male", "73.0"),  # 70 inches: 50 + 2.3 x 10
        ("177.8", "female", "68.5"),
        ("177.8", "other", "68.5"),  # no male or female sex: the lower formula
        ("163", "female", "55.1"),  # Ms. Chen
    ],
)
def test_devine(height: str, sex: str, ibw: str) -> None:
    assert ideal_body_weight(Decimal(height), sex)[0] == Kg(Decimal(ibw))


def test_the_policies_for_a_140_kg_man_of_180_cm() -> None:
    actual, height = Kg(Decimal(140)), Decimal(180)
    ibw = dosing_weight("ideal", actual, height_cm=height, sex="male")
    adjusted = dosing_weight("adjusted", actual, height_cm=height, sex="male")
    capped = dosing_weight("actual_capped", actual, height_cm=None, sex="male", cap_kg=Decimal(100))
    assert ibw.weight == Kg(Decimal("75.0"))  # 50 + 2.3 x 10.87 in
    assert adjusted.weight == Kg(Decimal("101.0"))  # 75.0 + 0.4 x 65.0
    assert capped.weight == Kg(Decimal(100))
    assert "Devine" in ibw.why
    assert "0.4" in adjusted.why
    assert "capped at 100" in capped.why
    assert dosing_weight("actual", actual, height_cm=None, sex="male").weight == actual


@pytest.mark.parametrize(
    ("height", "sex", "refused"),
    [
        ("135.2", "female", True),
        ("135.3", "female", False),
        ("130.3", "male", True),
        ("130.4", "male", False),
    ],
)
def test_too_short_for_devine(height: str, sex: str, refused: bool) -> None:
    if refused:
        with pytest.raises(DosingWeightError, match="too short"):
            ideal_body_weight(Decimal(height), sex)
    else:
        assert ideal_body_weight(Decimal(height), sex)[0].value >= 30


def test_below_the_ideal_weight_the_actual_weight_is_used() -> None:
    light = dosing_weight("adjusted", Kg(Decimal(50)), height_cm=Decimal(180), sex="male")
    assert light.weight == Kg(Decimal(50))
    assert "at or below the ideal" in light.why


@pytest.mark.parametrize(
    ("policy", "kwargs", "field"),
    [
        ("ideal", {"height_cm": None}, "height_cm"),
        ("adjusted", {"height_cm": None}, "height_cm"),
        ("actual_capped", {"height_cm": None}, "dosing_weight_cap_kg"),
        ("lean", {"height_cm": Decimal(170)}, "dosing_weight"),
    ],
)
def test_what_cannot_be_computed_names_the_field(
    policy: str, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(DosingWeightError) as problem:
        dosing_weight(policy, Kg(Decimal(90)), sex="female", **kwargs)  # type: ignore[arg-type]
    assert problem.value.field == field


@given(
    policy=st.sampled_from(sorted(POLICIES)),
    actual=st.decimals(min_value=30, max_value=350, places=1),
    height=st.decimals(min_value=100, max_value=250, places=1),
    sex=st.sampled_from(["male", "female", "other", "unknown"]),
    cap=st.decimals(min_value=40, max_value=200, places=0),
)
def test_no_policy_gives_more_than_the_actual_weight(
    policy: str, actual: Decimal, height: Decimal, sex: str, cap: Decimal
) -> None:
    base = Decimal("50") if sex == "male" else Decimal("45.5")
    if base + Decimal("2.3") * (height / Decimal("2.54") - 60) < 30:  # too short for Devine
        with pytest.raises(DosingWeightError, match="too short") as refused:
            dosing_weight("ideal", Kg(actual), height_cm=height, sex=sex)
        assert refused.value.field == "height_cm"
        return
    result = dosing_weight(policy, Kg(actual), height_cm=height, sex=sex, cap_kg=cap)
    ideal = dosing_weight("ideal", Kg(actual), height_cm=height, sex=sex).weight.value
    adjusted = dosing_weight("adjusted", Kg(actual), height_cm=height, sex=sex).weight.value
    assert result.weight.value <= actual
    assert result.weight.value >= 30
    assert ideal <= adjusted <= actual  # ideal <= adjusted <= actual, always
