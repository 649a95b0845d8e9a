"""The text form of an amount: the schema's pattern matches exactly the plain decimals that
lie in the field's range with its decimal places, no more and no fewer."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.common.amount_text import pattern

pytestmark = pytest.mark.pure
PLAIN = re.compile(r"^(0|[1-9]\d*)(\.\d+)?$")


def _within(text: str, low: Decimal, low_open: bool, high: Decimal, high_open: bool,
            places: int) -> bool:  # fmt: skip
    if not PLAIN.match(text):
        return False
    if "." in text and len(text.split(".")[1]) > places:
        return False
    value = Decimal(text)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    return above and below


bounds = st.tuples(
    st.decimals(min_value=0, max_value=2000, places=2),
    st.booleans(),
    st.decimals(min_value=Decimal("0.01"), max_value=120000, places=2),
    st.booleans(),
    st.integers(min_value=0, max_value=3),
).filter(lambda b: b[0] < b[2])
texts = st.one_of(
    st.decimals(min_value=0, max_value=130000, places=4).map(str),
    st.decimals(min_value=0, max_value=130000, places=1).map(lambda d: f"{d:.3f}"),
    st.integers(min_value=0, max_value=130000).map(str),
    st.sampled_from(["0", "0.0", "00", "035", "1e2", " 5", "5 ", "-1", "+1", ".5", "5.", ""]),
)


@given(bounds, texts)
def test_the_pattern_is_the_range(bound: tuple, text: str) -> None:  # type: ignore[type-arg]
    low, low_open, high, high_open, places = bound
    try:
        expression = pattern(low, low_open, high, high_open, places)
    except ValueError:  # nothing lies in range at these places
        return
    assert bool(re.fullmatch(expression, text)) == _within(text, *bound), expression


@pytest.mark.parametrize(
    ("text", "matches"),
    [("0", False), ("0.01", True), ("0.001", False), ("1000", True), ("1000.00", True),
     ("1000.01", False), ("035", False), ("1e2", False), ("35.5", True)],
)  # fmt: skip
def test_an_amount_above_zero_up_to_a_thousand(text: str, matches: bool) -> None:
    expression = pattern(Decimal(0), True, Decimal(1000), False, 2)
    assert bool(re.fullmatch(expression, text)) == matches
