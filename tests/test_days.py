"""A day on the clinic's clock is its local midnight to the next, 23 or 25 hours long on the
days the clocks change."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from ketamine_clinic.clinical.dates import shown
from ketamine_clinic.common.days import day_start, days_span

pytestmark = pytest.mark.pure


def test_a_day_begins_at_local_midnight() -> None:
    with timezone.override("America/New_York"):
        start = day_start(date(2026, 7, 1))
        assert (start.hour, start.utcoffset()) == (0, timedelta(hours=-4))


def test_a_span_covers_its_last_day_whole_across_a_clock_change() -> None:
    with timezone.override("America/New_York"):
        since, until = days_span(date(2026, 3, 8), date(2026, 3, 8))  # clocks go forward
        assert until.astimezone(UTC) - since.astimezone(UTC) == timedelta(hours=23)
        since, until = days_span(date(2026, 11, 1), date(2026, 11, 1))  # and back
        assert until.astimezone(UTC) - since.astimezone(UTC) == timedelta(hours=25)
        since, until = days_span(date(2026, 3, 1), date(2026, 3, 31))
        assert (since.day, until.day, until.month) == (1, 1, 4)


@pytest.mark.parametrize("day", [date(2026, 1, 5), date(2026, 12, 31), date(2031, 6, 1)])
def test_a_rule_s_date_reads_as_the_screens_show_dates(day: date) -> None:
    assert shown(day) == date_format(day)  # "5 Jan 2026", set once in server/formats
