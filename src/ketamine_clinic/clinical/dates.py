"""A date inside a rule's sentence ("expired on 6 Oct 2026"), in the format every screen
uses (server/formats/en/formats.py, DATE_FORMAT "j M Y"). The clinical package has no Django
to ask for it; a test keeps the two the same."""

from __future__ import annotations

from datetime import date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def shown(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
