"""The one error every clinical rule raises: which field is wrong, and why in words."""

from __future__ import annotations


class RuleError(ValueError):
    """Input a clinical rule refuses; `field` names it so every door (API, screen, command
    line) can say which field and why (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
