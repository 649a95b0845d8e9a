"""The rows of the two tables staff open most: a chart's records and the patient list.

They are built here in Python rather than by a template loop: the chart shows five record
tables on every visit and a search up to 50 patients, and the template engine's per-cell
work was most of those pages' rendering (docs/performance.md). Every value goes through
`html.escape`, which is what Django's own `escape` does (and all `{{ value }}` does for
text), without its per-call wrapping.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from ketamine_clinic.patients.models import Patient, PatientRecord
from ketamine_clinic.patients.records import RECORD_KINDS, RecordKind

register = template.Library()

NONE_RECORDED = mark_safe('<p class="text-body-secondary">None recorded.</p>')
NO_PATIENTS = mark_safe('<tr><td colspan="5">No patients found.</td></tr>')
IN_ERROR_BADGE = ' <span class="badge text-bg-danger">Entered in error</span>'


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
def _head(segment: str) -> str:
    """A kind's header row: the same on every chart (the kind is looked up by its segment)."""
    labels = "".join(
        f'<th scope="col">{escape(label)}</th>' for label in record_columns(RECORD_KINDS[segment])
    )
    actions = '<th scope="col"><span class="visually-hidden">Actions</span></th>'
    return f"<thead><tr>{labels}{actions}</tr></thead>"


def _row(record: PatientRecord, error_url: str, kind: RecordKind, may_add: bool) -> str:
    cells = "".join(f"<td>{escape(value)}</td>" for value in record_values(record, kind))
    if record.in_error:
        reason = escape(record.entered_in_error_reason)
        return (
            f'<tr class="text-decoration-line-through text-body-secondary">{cells}'
            f'<td class="text-end"><span class="badge text-bg-danger" title="{reason}">'
            "Entered in error</span></td></tr>"
        )
    action = (
        f'<a class="btn btn-sm btn-link text-danger" href="{escape(error_url)}">Mark in error…</a>'
        if may_add
        else ""
    )
    return f'<tr>{cells}<td class="text-end">{action}</td></tr>'


@register.simple_tag
def record_table(
    kind: RecordKind, rows: Sequence[tuple[PatientRecord, str]], may_add: bool
) -> SafeString:
    """One kind's records with their "Mark in error" links (`may_add`: the viewer may)."""
    if not rows:
        return NONE_RECORDED
    body = "".join(_row(record, url, kind, may_add) for record, url in rows)
    return mark_safe(  # noqa: S308  # every value in it went through escape()
        '<div class="table-responsive"><table class="table table-sm align-middle text-nowrap">'
        f"{_head(kind.segment)}<tbody>{body}</tbody></table></div>"
    )


@register.simple_tag
def patient_rows(patients: Sequence[tuple[Patient, str]]) -> SafeString:
    """The patient list's rows, each with its link to the chart (`views.LIST_FIELDS`)."""
    if not patients:
        return NO_PATIENTS
    rows = []
    for p, chart in patients:
        url = escape(chart)
        name = escape(f"{p.family_name}, {p.given_name}")
        badge = IN_ERROR_BADGE if p.in_error else ""
        rows.append(
            f'<tr data-href="{url}"><td><a href="{url}">{name}</a>{badge}</td>'
            f"<td>{escape(p.mrn)}</td><td>{p.birth_date.isoformat()}</td>"
            f"<td>{escape(p.get_sex_display())}</td><td>{escape(p.phone)}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308  # every value in it went through escape()
