"""Session schedules: dates on the clinic's open days, never on its closed dates, no more
sessions in a week than the phase allows, and at least the phase's spacing apart (e.g. twice
weekly = at least 48 hours apart). Dates only: the front desk books the times."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from ketamine_clinic.clinical.dates import shown
from ketamine_clinic.clinical.protocols import Phase
from ketamine_clinic.clinical.rule_error import RuleError

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})
MAX_SEARCH_DAYS = 366  # a schedule that cannot be placed within a year is refused


class ScheduleError(RuleError):
    """A schedule that cannot be made or a move that breaks its rules; `field` names why."""


@dataclass(frozen=True)
class Planned:
    on: date
    phase: str


def min_days_apart(phase: Phase) -> int:
    return math.ceil(phase.min_hours_apart / 24)


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def plan_phase(
    phase: Phase,
    start: date,
    count: int,
    open_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
    closed: frozenset[date] = frozenset(),
    after: date | None = None,
) -> list[date]:
    """The first `count` dates from `start` that keep every rule of the phase. `after` is the
    previous session (from an earlier phase), which the spacing counts from too."""
    if not open_weekdays:
        raise ScheduleError("open_weekdays", "the clinic has no open day")
    if count < 0:
        raise ScheduleError("sessions", "must not be negative")
    gap = min_days_apart(phase)
    dates: list[date] = []
    previous = after
    day = start
    while len(dates) < count:
        if (day - start).days > MAX_SEARCH_DAYS:
            raise ScheduleError("sessions", "cannot be placed within a year on the open days")
        in_week = sum(1 for d in dates if _week(d) == _week(day))
        if (
            day.weekday() in open_weekdays
            and day not in closed
            and in_week < phase.per_week
            and (previous is None or (day - previous).days >= gap)
        ):
            dates.append(day)
            previous = day
        day += timedelta(days=1)
    return dates


def plan_course(
    phases: tuple[Phase, ...],
    start: date,
    open_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
    closed: frozenset[date] = frozenset(),
    after: date | None = None,
) -> list[Planned]:
    """Every phase with a fixed number of sessions, one after the other (an "as needed" phase
    is not scheduled ahead). `after` is the patient's last dose of the same drug: the first
    session keeps the phase's spacing from it too."""
    planned: list[Planned] = []
    previous: date | None = after
    next_start = start
    for phase in phases:
        if phase.sessions is None:
            break
        dates = plan_phase(phase, next_start, phase.sessions, open_weekdays, closed, previous)
        planned += [Planned(d, phase.name) for d in dates]
        if dates:
            previous = dates[-1]
            next_start = previous + timedelta(days=1)
    return planned


def check_move(
    dates: list[date],
    index: int,
    new_day: date,
    phase: Phase,
    open_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
    closed: frozenset[date] = frozenset(),
) -> None:
    """Refuse a move that lands on a closed day or comes too close to its neighbours."""
    check_open(new_day, open_weekdays, closed)
    gap = min_days_apart(phase)
    others = [d for i, d in enumerate(dates) if i != index]
    for other in others:
        if abs((new_day - other).days) < gap:
            raise ScheduleError(
                "date",
                f"{shown(new_day)} is less than {phase.min_hours_apart} hours from the "
                f"session on {shown(other)}",
            )
    in_week = sum(1 for d in others if _week(d) == _week(new_day))
    if in_week >= phase.per_week:
        raise ScheduleError("date", f"that week already has {phase.per_week} sessions")


def check_open(
    day: date,
    open_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
    closed: frozenset[date] = frozenset(),
) -> None:
    if day.weekday() not in open_weekdays or day in closed:
        raise ScheduleError("date", f"the clinic is closed on {shown(day)}")


def next_open_day(
    after: date,
    open_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
    closed: frozenset[date] = frozenset(),
) -> date:
    """The first day after `after` that the clinic is open."""
    if not open_weekdays:
        raise ScheduleError("open_weekdays", "the clinic has no open day")
    day = after + timedelta(days=1)
    while day.weekday() not in open_weekdays or day in closed:
        if (day - after).days > MAX_SEARCH_DAYS:
            raise ScheduleError("date", "no open day within a year")
        day += timedelta(days=1)
    return day


def plan_adjuncts(
    dosing: list[date],
    every: int,
    open_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
    closed: frozenset[date] = frozenset(),
) -> list[date]:
    """Integration sessions: one on the first open day after every `every`-th dosing session,
    when the experience of the dose is fresh (integration follows dosing, not the same day)."""
    if every < 1:
        raise ScheduleError("integration_every", "must be at least 1")
    ordered = sorted(dosing)
    return [
        next_open_day(day, open_weekdays, closed)
        for n, day in enumerate(ordered, start=1)
        if n % every == 0
    ]
