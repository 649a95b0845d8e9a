"""Errors that action functions raise and every door (API, screens, CLI) turns into answers."""

from __future__ import annotations


class Conflict(Exception):
    """The action cannot happen as asked: a stale version, a rule that blocks it (HTTP 409)."""


class InvalidInput(Exception):
    """A value that passed the schema but fails a rule needing the database (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def as_sentence(exc: Exception) -> str:
    """A refusal as a message for the screen: its text with the first letter upper-cased
    (not str.capitalize, which would lower-case REMS, MOAA/S and mmHg)."""
    if isinstance(exc, InvalidInput):
        text = f"{exc.field.replace('_', ' ')}: {exc.message}"
    else:
        text = str(exc)
    return text[:1].upper() + text[1:]
