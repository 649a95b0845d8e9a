"""Chart record tables, built from the record kind's description.

A table is built here in Python rather than by a template loop: the chart shows five of them
on every visit, and the template engine's per-cell work was most of the chart's rendering
(docs/performance.md). Every value goes through `format_html`, which escapes it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ketamine_clinic.patients.models import PatientRecord
from ketamine_clinic.patients.records import RECORD_KINDS, RecordKind

register = template.Library()

NONE_RECORDED = mark_safe('<p class="text-body-secondary">None recorded.</p>')
STRUCK = mark_safe(' class="text-decoration-line-through text-body-secondary"')


def _fields(kind: RecordKind) -> list[str]:
    return [name for name in kind.create.model_fields if name != "notes"]


def record_columns(kind: RecordKind) -> list[str]:
    meta = kind.model._meta
    labels = [getattr(meta.get_field(name), "verbose_name", name) for name in _fields(kind)]
    return [str(label)[:1].upper() + str(label)[1:] for label in labels]


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


@functools.cache
def _head(segment: str) -> SafeString:
    """A kind's header row: the same on every chart (the kind is looked up by its segment)."""
    labels = format_html_join(
        "", '<th scope="col">{}</th>', ((label,) for label in record_columns(RECORD_KINDS[segment]))
    )
    return format_html(
        '<thead><tr>{}<th scope="col"><span class="visually-hidden">Actions</span></th>'
        "</tr></thead>",
        labels,
    )


def _row(record: PatientRecord, error_url: str, kind: RecordKind, may_add: bool) -> SafeString:
    cells = format_html_join("", "<td>{}</td>", ((value,) for value in record_values(record, kind)))
    if record.in_error:
        action = format_html(
            '<span class="badge text-bg-danger" title="{}">Entered in error</span>',
            record.entered_in_error_reason,
        )
    elif may_add:
        action = format_html(
            '<a class="btn btn-sm btn-link text-danger" href="{}">Mark in error…</a>', error_url
        )
    else:
        action = SafeString()
    return format_html(
        '<tr{}>{}<td class="text-end">{}</td></tr>',
        STRUCK if record.in_error else SafeString(),
        cells,
        action,
    )


@register.simple_tag
def record_table(
    kind: RecordKind, rows: Sequence[tuple[PatientRecord, str]], may_add: bool
) -> SafeString:
    """One kind's records with their "Mark in error" links (`may_add`: the viewer may)."""
    if not rows:
        return NONE_RECORDED
    body = SafeString("".join(_row(record, url, kind, may_add) for record, url in rows))
    return format_html(
        '<div class="table-responsive"><table class="table table-sm align-middle text-nowrap">'
        "{}<tbody>{}</tbody></table></div>",
        _head(kind.segment),
        body,
    )
