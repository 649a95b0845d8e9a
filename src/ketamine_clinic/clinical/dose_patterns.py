"""Schedules of dose days a prescriber compares in the what-if, laid out from the protocol
library's phases (day 0 is the first dose), each with the source of its phase. They are
shapes to compare, not orders: the course's own schedule is always offered beside them."""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_clinic.clinical.protocols import (
    ESKETAMINE_PHASES,
    INDUCTION_3,
    MAINTENANCE,
    MURROUGH,
    SPRAVATO_US,
    Phase,
)

# Where in a week each dose of a phase falls: three a week on Monday, Wednesday, Friday;
# twice on Monday and Thursday; once on the same weekday.
WEEKDAYS = {3: (0, 2, 4), 2: (0, 3), 1: (0,)}


@dataclass(frozen=True)
class DosePattern:
    label: str
    phase: Phase
    every_weeks: int  # 2 for a phase given every other week
    source: str

    @property
    def days(self) -> tuple[int, ...]:
        """The phase's sessions as days from the first dose."""
        sessions = self.phase.sessions or 0
        slots = WEEKDAYS[self.phase.per_week]
        return tuple(
            (i // len(slots)) * 7 * self.every_weeks + slots[i % len(slots)]
            for i in range(sessions)
        )


PATTERNS: dict[str, DosePattern] = {
    "3x2": DosePattern("Three a week for 2 weeks", INDUCTION_3, 1, MURROUGH),
    "2x4": DosePattern("Twice a week for 4 weeks", ESKETAMINE_PHASES[0], 1, SPRAVATO_US),
    "1x4": DosePattern("Once a week for 4 weeks", MAINTENANCE[0], 1, SPRAVATO_US),
    "q2w": DosePattern("Every 2 weeks for 8 weeks", MAINTENANCE[1], 2, SPRAVATO_US),
}
