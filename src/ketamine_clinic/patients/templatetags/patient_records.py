"""Columns and cell values for chart record tables, from the record kind's description."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from ketamine_clinic.patients.models import PatientRecord
from ketamine_clinic.patients.records import RecordKind

register = template.Library()


def _fields(kind: RecordKind) -> list[str]:
    return [name for name in kind.create.model_fields if name != "notes"]


@register.filter
def record_columns(kind: RecordKind) -> list[str]:
    meta = kind.model._meta
    labels = [getattr(meta.get_field(name), "verbose_name", name) for name in _fields(kind)]
    return [str(label)[:1].upper() + str(label)[1:] for label in labels]


@register.filter
def record_values(record: PatientRecord, kind: RecordKind) -> list[str]:
    values = []
    for name in _fields(kind):
        display = getattr(record, f"get_{name}_display", None)
        value: Any = display() if callable(display) else getattr(record, name)
        if value is None:
            values.append("—")
        elif isinstance(value, bool):
            values.append("yes" if value else "no")
        elif isinstance(value, datetime):
            values.append(value.strftime("%Y-%m-%d %H:%M"))
        elif isinstance(value, date):
            values.append(value.isoformat())
        else:
            values.append(str(value))
    return values
