"""Session schedules across weeks and holidays, spacing, and moves."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.protocols import LIBRARY, Phase
from ketamine_clinic.clinical.scheduling import (
    ScheduleError,
    check_move,
    min_days_apart,
    next_open_day,
    plan_adjuncts,
    plan_course,
    plan_phase,
)

MON = date(2026, 11, 23)  # a Monday
TWICE = Phase("induction", 8, 2, 48)
THRICE = Phase("induction", 6, 3, 48)


def days(*offsets: int) -> list[date]:
    return [MON + timedelta(days=o) for o in offsets]


def test_three_times_a_week_mon_wed_fri() -> None:
    assert plan_phase(THRICE, MON, 6) == days(0, 2, 4, 7, 9, 11)


def test_twice_a_week_at_least_48_hours_apart() -> None:
    assert plan_phase(TWICE, MON, 4) == days(0, 2, 7, 9)


def test_starting_on_a_weekend_moves_to_monday() -> None:
    assert plan_phase(THRICE, MON - timedelta(days=2), 2) == days(0, 2)


def test_holidays_are_skipped() -> None:
    thanksgiving = MON + timedelta(days=3)  # Thursday
    closed = frozenset({MON + timedelta(days=2), thanksgiving})  # Wednesday too
    assert plan_phase(THRICE, MON, 3, closed=closed) == days(0, 4, 7)


def test_clinic_open_days() -> None:
    tue_thu = frozenset({1, 3})
    assert plan_phase(THRICE, MON, 4, open_weekdays=tue_thu) == days(1, 3, 8, 10)


def test_course_moves_from_induction_to_maintenance() -> None:
    plan = plan_course(LIBRARY["iv-racemic-standard"].phases, MON)
    induction = [p.on for p in plan if p.phase == "induction"]
    weekly = [p.on for p in plan if p.phase == "maintenance weekly"]
    fortnightly = [p.on for p in plan if p.phase == "maintenance every 2 weeks"]
    assert induction == days(0, 2, 4, 7, 9, 11)
    assert len(weekly) == 4
    assert (weekly[0] - induction[-1]).days >= 5
    assert all((b - a).days >= 5 for a, b in itertools.pairwise(weekly))
    assert all((b - a).days >= 12 for a, b in itertools.pairwise(fortnightly))
    assert not any(p.phase == "maintenance as needed" for p in plan)


def test_esketamine_induction_is_twice_weekly_for_four_weeks() -> None:
    plan = plan_course(LIBRARY["esketamine-trd-us"].phases, MON)
    first = [p.on for p in plan if p.phase == "induction weeks 1-4"]
    assert len(first) == 8
    assert first[-1] < MON + timedelta(weeks=4)


def test_moves() -> None:
    plan = plan_phase(THRICE, MON, 3)
    with pytest.raises(ScheduleError, match="less than 48 hours"):
        check_move(plan, 1, MON + timedelta(days=1), THRICE)
    with pytest.raises(ScheduleError, match="closed"):
        check_move(plan, 2, MON + timedelta(days=5), THRICE)
    check_move(plan, 2, MON + timedelta(days=7), THRICE)  # the next Monday is fine


def test_impossible_schedules_are_refused() -> None:
    with pytest.raises(ScheduleError, match="no open day"):
        plan_phase(THRICE, MON, 1, open_weekdays=frozenset())
    everything_closed = frozenset(MON + timedelta(days=n) for n in range(400))
    with pytest.raises(ScheduleError, match="within a year"):
        plan_phase(THRICE, MON, 1, closed=everything_closed)


@given(
    st.integers(0, 40),
    st.sampled_from([TWICE, THRICE, Phase("weekly", 4, 1, 120)]),
    st.frozensets(st.integers(0, 6), min_size=1),
    st.frozensets(st.integers(0, 60), max_size=15),
)
def test_every_plan_keeps_every_rule(
    count: int, phase: Phase, open_days: frozenset[int], closed_offsets: frozenset[int]
) -> None:
    closed = frozenset(MON + timedelta(days=o) for o in closed_offsets)
    plan = plan_phase(phase, MON, count, open_days, closed)
    assert len(plan) == count
    assert plan == sorted(plan)
    for day in plan:
        assert day.weekday() in open_days
        assert day not in closed
    for a, b in itertools.pairwise(plan):
        assert (b - a).days >= min_days_apart(phase)
    weeks: dict[tuple[int, int], int] = {}
    for day in plan:
        key = (day.isocalendar().year, day.isocalendar().week)
        weeks[key] = weeks.get(key, 0) + 1
    assert all(n <= phase.per_week for n in weeks.values())


def test_integration_after_every_second_dose_on_the_next_open_day() -> None:
    dosing = days(0, 2, 4, 7, 9, 11)  # Mon Wed Fri, Mon Wed Fri
    assert plan_adjuncts(dosing, 2) == days(3, 8, 14)  # Thu, Tue, and Mon after a Fri
    assert plan_adjuncts(dosing, 1)[0] == MON + timedelta(days=1)
    assert plan_adjuncts(dosing, 7) == []
    # A holiday on the day after pushes the session to the next open day.
    assert plan_adjuncts(days(0), 1, closed=frozenset(days(1))) == days(2)
    with pytest.raises(ScheduleError, match="at least 1"):
        plan_adjuncts(dosing, 0)
    with pytest.raises(ScheduleError):
        next_open_day(MON, frozenset())


@given(
    st.lists(st.integers(0, 60), min_size=0, max_size=12, unique=True),
    st.integers(1, 4),
    st.frozensets(st.integers(0, 6), min_size=1),
    st.frozensets(st.integers(0, 70), max_size=15),
)
def test_every_adjunct_follows_its_dose_on_an_open_day(
    offsets: list[int], every: int, open_days: frozenset[int], closed_offsets: frozenset[int]
) -> None:
    closed = frozenset(MON + timedelta(days=o) for o in closed_offsets)
    dosing = sorted(MON + timedelta(days=o) for o in offsets)
    plan = plan_adjuncts(dosing, every, open_days, closed)
    assert len(plan) == len(dosing) // every
    for n, day in enumerate(plan, start=1):
        dose = dosing[n * every - 1]
        assert day > dose
        assert day.weekday() in open_days
        assert day not in closed
        between = dose + timedelta(days=1)
        while between < day:  # nothing open was skipped
            assert between.weekday() not in open_days or between in closed
            between += timedelta(days=1)


def test_a_new_course_keeps_its_spacing_from_the_last_dose_given() -> None:
    phases = LIBRARY["esketamine-trd-us"].phases
    # The last dose was given on the Sunday before: the first session moves from Monday to
    # Tuesday (twice weekly: at least 48 hours apart).
    plan = plan_course(phases, MON, frozenset(range(7)), after=MON - timedelta(days=1))
    assert plan[0].on == MON + timedelta(days=1)
    assert plan_course(phases, MON, frozenset(range(7)), after=MON - timedelta(days=2))[0].on == MON
