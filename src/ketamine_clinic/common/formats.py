"""Numbers as a clinician writes them."""

from __future__ import annotations

from decimal import Decimal


def dose(value: Decimal | None) -> str:
    """0.5 mg/kg, not 0.500; 1 mg/kg, not 1.000; nothing for no value."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")
