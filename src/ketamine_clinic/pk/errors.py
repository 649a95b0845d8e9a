"""The engine's refusal: which input is wrong and why (the API answers 422, the CLI exits 2)."""

from __future__ import annotations


class PKError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
