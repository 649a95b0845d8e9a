"""The what-if's schedules keep to the phases they are laid out from: the phase's number of
sessions, no more a week than it allows, never closer together than its minimum interval."""

from __future__ import annotations

import itertools

import pytest

from ketamine_clinic.clinical.dose_patterns import PATTERNS, DosePattern
from ketamine_clinic.clinical.protocols import Phase

pytestmark = pytest.mark.pure


@pytest.mark.parametrize("key", list(PATTERNS))
def test_each_pattern_keeps_to_its_phase(key: str) -> None:
    pattern = PATTERNS[key]
    days = pattern.days
    assert days[0] == 0
    assert len(days) == pattern.phase.sessions
    gaps = [b - a for a, b in itertools.pairwise(days)]
    assert min(gaps) * 24 >= pattern.phase.min_hours_apart
    for start in range(days[-1] + 1):  # any 7 days
        in_week = [d for d in days if start <= d < start + 7]
        assert len(in_week) <= pattern.phase.per_week
    assert pattern.source


def test_murrough_s_six_infusions_in_twelve_days() -> None:
    assert PATTERNS["3x2"].days == (0, 2, 4, 7, 9, 11)


def test_every_other_week_doubles_the_interval() -> None:
    assert PATTERNS["q2w"].days == (0, 14, 28, 42)
    assert PATTERNS["1x4"].days == (0, 7, 14, 21)


def test_a_phase_given_as_needed_lays_out_no_days() -> None:
    as_needed = DosePattern("As needed", Phase("as needed", None, 1, 120), 1, "label")
    assert as_needed.days == ()
