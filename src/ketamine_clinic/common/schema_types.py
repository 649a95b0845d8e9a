"""Reusable constrained types for API schemas: text that a database and a screen can hold.

Single-line text refuses control characters (PostgreSQL cannot store NUL, and a newline in a
name breaks every list it appears in); every string has a maximum length.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints
from pydantic_core import PydanticCustomError

from ketamine_clinic.clinical.measurements import birth_date_problem

_SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
_MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def line(max_length: int, min_length: int = 1) -> StringConstraints:
    """Use as `Annotated[str, line(100)]`: one required, trimmed line of 1..max_length."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=_SINGLE_LINE
    )


def optional_line(max_length: int) -> StringConstraints:
    """One trimmed line that may be empty."""
    return StringConstraints(strip_whitespace=True, max_length=max_length, pattern=_SINGLE_LINE)


def paragraph(max_length: int) -> StringConstraints:
    """Free text over several lines (newlines and tabs allowed, other control characters not)."""
    return StringConstraints(strip_whitespace=True, max_length=max_length, pattern=_MULTI_LINE)


def latest_calendar_day() -> date:
    """Today somewhere on Earth (UTC+14), so a date entered as today never reads as future."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def rule(message: str) -> PydanticCustomError:
    """A refusal by a rule a schema cannot state (today's date moves): its error type is
    `rule`, which tells it apart from the schema's own checks (tests/fuzz)."""
    return PydanticCustomError("rule", message)


def _check_birth_date(value: date) -> date:
    problem = birth_date_problem(value, latest_calendar_day())
    if problem:
        raise rule(problem)
    return value


def _not_future_date(value: date) -> date:
    if value > latest_calendar_day():
        raise rule("must not be in the future")
    return value


def _not_future_datetime(value: datetime) -> datetime:
    # Five minutes of grace for clocks that run a little fast.
    if value > datetime.now(UTC) + timedelta(minutes=5):
        raise rule("must not be in the future")
    return value


# An email address as the schema states it: dot-separated atoms, an @, a domain of labels and
# a top-level name of letters. Every address it matches Django's validator also takes, and
# the API holds addresses to both, so the schema and the API agree.
EMAIL = (
    r"^$|^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def _email_or_empty(value: str) -> str:
    if value:
        try:
            if not re.fullmatch(EMAIL, value):
                raise DjangoValidationError("not an address the schema describes")
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("is not a valid email address") from None
    return value


EmailOrEmpty = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_email_or_empty),
    Field(json_schema_extra={"pattern": EMAIL}),  # held by _email_or_empty, in words
]
BirthDate = Annotated[date, AfterValidator(_check_birth_date)]
PastDate = Annotated[date, AfterValidator(_not_future_date)]
PastDateTime = Annotated[AwareDatetime, AfterValidator(_not_future_datetime)]


def files(*media_types: str) -> dict[str, object]:
    """`openapi_extra` for an operation whose 200 is a download: each media type it may send,
    so clients (and the schema tests) know a PDF, CSV or zip is a documented answer."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {200: {"description": "OK", "content": dict.fromkeys(media_types, binary)}}
    }
