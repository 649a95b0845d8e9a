"""The two tables staff open most, with their headings and rows defined together: the
patient list (up to 50 patients a search) and a chart's record tables (five on every visit).

A template loop with `{% url %}` in every row took 3 ms for a page of 50 patients, and at
200 searches and charts a second on two cores the load target (p95 under 50 ms) was missed
(docs/performance.md). Here the rows go through `format_html_join`, Django's own builder of
escaped HTML, and each table reverses its row link once: `reverse` checks its arguments
against the URL patterns on every call (13 µs), and these rows differ only by an id.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ketamine_clinic.patients.models import Patient, PatientRecord
from ketamine_clinic.patients.records import RecordKind

register = template.Library()

# No record has this id: it marks where each row's id goes in the link.
PLACEHOLDER = str(uuid.UUID(int=1))
IN_ERROR = mark_safe(' <span class="badge text-bg-danger">Entered in error</span>')
NOTHING = mark_safe("")


def row_links(name: str, ids: Sequence[Any], *before: Any) -> list[str]:
    """`reverse(name, args=[*before, id])` for each id, reversing once."""
    pattern = reverse(name, args=[*before, PLACEHOLDER])
    return [pattern.replace(PLACEHOLDER, str(pk)) for pk in ids]


# --- The patient list -----------------------------------------------------------------------

HEADINGS = ("Name", "MRN", "Birth date", "Sex", "Phone")
ROW = (
    '<tr data-href="{0}"><td><a href="{0}">{1}, {2}</a>{3}</td>'
    "<td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td></tr>"
)
# What a row shows is all the list reads of a patient (views.patient_list).
FIELDS = ("status", "family_name", "given_name", "mrn", "birth_date", "sex", "phone")


@register.simple_tag
def patient_list_headings() -> SafeString:
    return format_html_join("", '<th scope="col">{}</th>', ((h,) for h in HEADINGS))


@register.simple_tag
def patient_list_rows(patients: Sequence[Patient]) -> SafeString:
    """One row per patient, each linking to the chart."""
    if not patients:
        return format_html('<tr><td colspan="{}">No patients found.</td></tr>', len(HEADINGS))
    links = row_links("patients:chart", [p.pk for p in patients])
    return format_html_join(
        "\n",
        ROW,
        (
            (
                url,
                p.family_name,
                p.given_name,
                IN_ERROR if p.in_error else NOTHING,
                p.mrn,
                date_format(p.birth_date),
                p.get_sex_display(),
                p.phone,
            )
            for p, url in zip(patients, links, strict=True)
        ),
    )


# --- A chart's record tables ----------------------------------------------------------------


@register.simple_tag
def record_table(
    patient: Patient, kind: RecordKind, records: Sequence[PatientRecord], may_add: bool
) -> SafeString:
    """One kind's records (`RecordKind.columns`), each current one with its "Mark in error"
    link for those who `may_add`; a record in error struck through, with its reason."""
    if not records:
        return format_html('<p class="text-body-secondary">{}</p>', "None recorded.")
    links = row_links("patients:record_in_error", [r.pk for r in records], patient.pk, kind.segment)
    rows = []
    for record, url in zip(records, links, strict=True):
        cells = format_html_join("", "<td>{}</td>", ((value,) for value in kind.values(record)))
        if record.in_error:
            rows.append(
                format_html(
                    '<tr class="text-decoration-line-through text-body-secondary">{}'
                    '<td class="text-end"><span class="badge text-bg-danger" title="{}">'
                    "Entered in error</span></td></tr>",
                    cells,
                    record.entered_in_error_reason,
                )
            )
        elif may_add:
            rows.append(
                format_html(
                    '<tr>{}<td class="text-end"><a class="btn btn-sm btn-link text-danger" '
                    'href="{}">Mark in error…</a></td></tr>',
                    cells,
                    url,
                )
            )
        else:
            rows.append(format_html('<tr>{}<td class="text-end"></td></tr>', cells))
    headings = format_html_join("", '<th scope="col">{}</th>', ((c,) for c in kind.columns))
    return format_html(
        '<div class="table-responsive"><table class="table table-sm align-middle text-nowrap">'
        '<thead><tr>{}<th scope="col"><span class="visually-hidden">Actions</span></th></tr>'
        "</thead><tbody>{}</tbody></table></div>",
        headings,
        format_html_join("", "{}", ((row,) for row in rows)),
    )
