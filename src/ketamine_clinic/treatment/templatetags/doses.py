"""Doses as a clinician writes them: 0.5 mg/kg, not 0.500; 1 mg/kg, not 1.000."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def dose(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")
