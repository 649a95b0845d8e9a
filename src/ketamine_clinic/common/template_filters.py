"""Filters every template has (settings TEMPLATES builtins): an error beside its field."""

from __future__ import annotations

from typing import Any

from django import template

from ketamine_clinic.common.forms import name_and_unit

register = template.Library()


@register.filter
def beside(error: Any, label: Any) -> str:
    """An error as it reads under its field: a sentence that names the field already stands
    ("Weight must be at least 25 kg."); one that does not gets the field's name in front
    ("Reason: say why, in at least 10 characters")."""
    text = str(error)
    name, _unit = name_and_unit(label)
    if not name or text.lower().startswith(name.lower()):
        return text
    return f"{name}: {text}"
