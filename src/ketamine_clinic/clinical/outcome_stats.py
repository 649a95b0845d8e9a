"""Cohort statistics for the outcome report: rates with their counts, medians, and the
Kaplan-Meier estimate of how long a response lasts.

Kaplan-Meier (Kaplan & Meier, J Am Stat Assoc 1958;53:457-481): at each time an event
happens, survival is multiplied by (1 - events / at risk); patients censored at a time are
still at risk at that time (events before censoring, the usual convention). The median is
the first time survival falls to 0.5 or below; None when it never does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median


@dataclass(frozen=True)
class Rate:
    count: int
    of: int

    @property
    def pct(self) -> float | None:
        return None if self.of == 0 else round(self.count * 100 / self.of, 1)


@dataclass(frozen=True)
class Step:
    day: int
    at_risk: int
    events: int
    censored: int
    survival: float


def kaplan_meier(durations: list[int], events: list[bool]) -> list[Step]:
    """Steps of the survival curve, one per day on which something happened."""
    if len(durations) != len(events):
        raise ValueError("one event flag per duration")
    happened = Counter(d for d, e in zip(durations, events, strict=True) if e)
    censored = Counter(d for d, e in zip(durations, events, strict=True) if not e)
    return kaplan_meier_counts(happened, censored)


def kaplan_meier_counts(happened: Mapping[int, int], censored: Mapping[int, int]) -> list[Step]:
    """The same from counts per day, as a database groups them: `happened[day]` events and
    `censored[day]` censored on that day."""
    if any(d < 0 for d in (*happened, *censored)):
        raise ValueError("durations are not negative")
    at_risk = sum(happened.values()) + sum(censored.values())
    survival = 1.0
    steps = []
    for day in sorted({*happened, *censored}):
        died, left = happened.get(day, 0), censored.get(day, 0)
        if died:
            survival *= 1 - died / at_risk
        steps.append(Step(day, at_risk, died, left, round(survival, 6)))
        at_risk -= died + left
    return steps


def km_median(steps: list[Step]) -> int | None:
    return next((s.day for s in steps if s.survival <= 0.5), None)


def median_or_none(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def median_of_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}: the middle one, or the mean of the
    two middle ones."""
    total = sum(counts.values())
    if total == 0:
        return None
    wanted = [(total - 1) // 2, total // 2]  # positions in the sorted values
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return (found[0] + found[1]) / 2
