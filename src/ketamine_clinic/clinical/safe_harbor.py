"""De-identification for research extracts, after the HIPAA Safe Harbor method (45 CFR
164.514(b)(2)): none of the 18 identifiers leaves (names, addresses, dates more precise than
the year, contact details, record numbers, free text that may hold any of them); ages over
89 are one group; each patient is a random study id.

Dates are shifted per patient by a secret random offset instead of cut to the year, so
intervals (days to response, time between doses) survive; the offset never leaves the
clinic. That is the usual practice for longitudinal extracts, and it is a choice the clinic
and its research partner agree to: strict Safe Harbor keeps only the year.
"""

from __future__ import annotations

import secrets
import string
from datetime import UTC, date, datetime, timedelta

MAX_OFFSET_DAYS = 365
OLDEST_EXACT_AGE = 89
STUDY_ID_ALPHABET = string.ascii_uppercase + string.digits


def age_group(age_years: int) -> str:
    """The age as a number up to 89; "90+" above (Safe Harbor groups ages over 89)."""
    if age_years < 0:
        raise ValueError("age is not negative")
    return str(age_years) if age_years <= OLDEST_EXACT_AGE else "90+"


def new_offset_days() -> int:
    """A random shift of -365..+365 days, never 0."""
    offset = 0
    while offset == 0:
        offset = secrets.randbelow(2 * MAX_OFFSET_DAYS + 1) - MAX_OFFSET_DAYS
    return offset


def new_study_id() -> str:
    return "S" + "".join(secrets.choice(STUDY_ID_ALPHABET) for _ in range(9))


def shift_date(day: date, offset_days: int) -> str:
    return (day + timedelta(days=offset_days)).isoformat()


def shift_time(moment: datetime, offset_days: int) -> str:
    """Shifted and in UTC, to the minute (seconds add nothing for research)."""
    shifted = moment + timedelta(days=offset_days)
    return shifted.astimezone(UTC).replace(second=0, microsecond=0).isoformat()
