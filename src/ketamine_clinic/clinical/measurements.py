"""Plausibility limits for body measurements and ages entered at registration.

These are not treatment limits (dosing rules come later, in dosing.py); they catch typing
errors such as a weight in pounds typed into a kilogram field, or height in metres. A value
outside them is refused with a message naming the field, never silently clamped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal
    unit: str

    def contains(self, value: Decimal) -> bool:
        return self.low <= value <= self.high

    def describe(self) -> str:
        return f"between {self.low} and {self.high} {self.unit}"


# Registration plausibility bounds, not clinical norms: wide enough for any adult or adolescent
# a ketamine clinic treats, narrow enough to catch common unit slips (a height in
# metres, 1.75, or a weight in grams, 70000, is refused).
WEIGHT_KG = Range(Decimal("25"), Decimal("350"), "kg")
HEIGHT_CM = Range(Decimal("100"), Decimal("250"), "cm")
# Oldest verified human age is 122 (Jeanne Calment); allow a margin above it.
MAX_AGE_YEARS = 125


def age_on(birth_date: date, on: date) -> int:
    """Completed years on a given day (a 29 February birthday counts from 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birth_date_problem(birth_date: date, today: date) -> str | None:
    """Why a birth date cannot be right, or None when it can."""
    if birth_date > today:
        return "must not be in the future"
    if age_on(birth_date, today) > MAX_AGE_YEARS:
        return f"gives an age over {MAX_AGE_YEARS} years"
    return None
