"""Registration plausibility rules, at their boundaries and as properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.measurements import (
    HEIGHT_CM,
    MAX_AGE_YEARS,
    WEIGHT_KG,
    age_on,
    birth_date_problem,
)

TODAY = date(2026, 11, 21)


def test_weight_boundaries() -> None:
    assert WEIGHT_KG.contains(Decimal("25"))
    assert WEIGHT_KG.contains(Decimal("350"))
    assert not WEIGHT_KG.contains(Decimal("24.99"))
    assert not WEIGHT_KG.contains(Decimal("350.01"))
    assert WEIGHT_KG.describe() == "between 25 and 350 kg"


def test_height_boundaries() -> None:
    assert HEIGHT_CM.contains(Decimal("100"))
    assert HEIGHT_CM.contains(Decimal("250"))
    assert not HEIGHT_CM.contains(Decimal("1.75"))
    assert not HEIGHT_CM.contains(Decimal("250.01"))


def test_age_counts_completed_years() -> None:
    assert age_on(date(1984, 3, 9), date(2026, 3, 8)) == 41
    assert age_on(date(1984, 3, 9), date(2026, 3, 9)) == 42
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_birth_date_boundaries() -> None:
    assert birth_date_problem(TODAY, TODAY) is None
    assert birth_date_problem(TODAY + timedelta(days=1), TODAY) == "must not be in the future"
    oldest = date(TODAY.year - MAX_AGE_YEARS - 1, TODAY.month, TODAY.day) + timedelta(days=1)
    assert birth_date_problem(oldest, TODAY) is None
    assert birth_date_problem(oldest - timedelta(days=1), TODAY) == "gives an age over 125 years"


@given(st.dates(min_value=date(1850, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 40000))
def test_age_is_never_negative_and_grows_by_one_per_birthday(birth: date, days: int) -> None:
    on = birth + timedelta(days=days)
    age = age_on(birth, on)
    assert age >= 0
    assert age <= days / 365 + 1
    assert age >= days / 366 - 1


@given(st.dates(), st.dates())
def test_birth_date_problem_is_none_only_inside_the_window(birth: date, today: date) -> None:
    problem = birth_date_problem(birth, today)
    inside = birth <= today and age_on(birth, today) <= MAX_AGE_YEARS
    assert (problem is None) == inside
