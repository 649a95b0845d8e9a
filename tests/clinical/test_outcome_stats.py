"""Kaplan-Meier and rates against hand-computed small cohorts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.outcome_stats import Rate, kaplan_meier, km_median, median_or_none


def test_a_hand_computed_curve() -> None:
    """Six responders: relapses on days 10, 10, 30; still responding when last seen on days
    20, 40 and 40. S(10) = 4/6; at day 20 one is censored; S(30) = 4/6 x (1 - 1/3) = 4/9."""
    steps = kaplan_meier([10, 10, 20, 30, 40, 40], [True, True, False, True, False, False])
    assert [(s.day, s.at_risk, s.events, s.censored) for s in steps] == [
        (10, 6, 2, 0), (20, 4, 0, 1), (30, 3, 1, 0), (40, 2, 0, 2),
    ]  # fmt: skip
    assert [s.survival for s in steps] == pytest.approx([4 / 6, 4 / 6, 4 / 9, 4 / 9], abs=1e-6)
    assert km_median(steps) == 30


def test_censoring_on_an_event_day_stays_at_risk() -> None:
    steps = kaplan_meier([5, 5], [True, False])
    assert steps[0].survival == 0.5  # 1 event of 2 at risk: the censored one counts
    assert km_median(steps) == 5


def test_no_events_no_median_and_bad_input() -> None:
    assert km_median(kaplan_meier([3, 8], [False, False])) is None
    assert kaplan_meier([], []) == []
    with pytest.raises(ValueError, match="one event flag"):
        kaplan_meier([1], [])
    with pytest.raises(ValueError, match="not negative"):
        kaplan_meier([-1], [True])


def test_rates_and_medians() -> None:
    assert Rate(1, 3).pct == 33.3
    assert Rate(0, 0).pct is None
    assert median_or_none([]) is None
    assert median_or_none([3, 1, 2, 10]) == 2.5


@given(st.lists(st.tuples(st.integers(0, 400), st.booleans()), max_size=60))
def test_survival_never_rises_and_stays_in_0_1(data: list[tuple[int, bool]]) -> None:
    steps = kaplan_meier([d for d, _ in data], [e for _, e in data])
    survival = [s.survival for s in steps]
    assert all(0 <= s <= 1 for s in survival)
    assert all(a >= b for a, b in itertools.pairwise(survival))
    assert sum(s.events + s.censored for s in steps) == len(data)
