"""Days on the clinic's clock: a date's local midnight, and the instants a span of dates
covers, so a report "from 1 to 31 March" means those days where the clinic is."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The local midnight that begins `day` (the current time zone: the clinic's)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def days_span(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of `first` up to (not including) the start of the day after `last`."""
    return day_start(first), day_start(last + timedelta(days=1))
