"""The patient list's table: its headings and rows, defined together here.

Staff search the list all day, and it shows up to 50 patients: drawn by a template loop with
`{% url %}` in each row it took 3 ms a page, and at 200 searches a second the search missed
its 50 ms target (docs/performance.md). `format_html_join`, Django's own builder of escaped
HTML from rows, draws them in a third of that once the chart's address is reversed once per
page (`reverse` checks its arguments against the URL patterns on every call, 13 µs).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ketamine_clinic.patients.models import Patient

register = template.Library()

HEADINGS = ("Name", "MRN", "Birth date", "Sex", "Phone")
# Every value goes through format_html's escaping; {0} is the chart's address.
ROW = (
    '<tr data-href="{0}"><td><a href="{0}">{1}, {2}</a>{3}</td>'
    "<td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td></tr>"
)
IN_ERROR = mark_safe(' <span class="badge text-bg-danger">Entered in error</span>')
NO_BADGE = mark_safe("")
# What a row shows is all the list reads of a patient (views.patient_list).
FIELDS = ("status", "family_name", "given_name", "mrn", "birth_date", "sex", "phone")
# No patient has this id: it marks where each patient's id goes in the chart's address.
PLACEHOLDER = str(uuid.UUID(int=1))


def chart_urls(patients: Sequence[Patient]) -> list[str]:
    """Each patient's chart address, as `reverse("patients:chart", args=[pk])` gives it."""
    pattern = reverse("patients:chart", args=[PLACEHOLDER])
    return [pattern.replace(PLACEHOLDER, str(p.pk)) for p in patients]


@register.simple_tag
def patient_list_headings() -> SafeString:
    return format_html_join("", '<th scope="col">{}</th>', ((h,) for h in HEADINGS))


@register.simple_tag
def patient_list_rows(patients: Sequence[Patient]) -> SafeString:
    """One row per patient, each linking to the chart."""
    if not patients:
        return format_html('<tr><td colspan="{}">No patients found.</td></tr>', len(HEADINGS))
    return format_html_join(
        "\n",
        ROW,
        (
            (
                url,
                p.family_name,
                p.given_name,
                IN_ERROR if p.in_error else NO_BADGE,
                p.mrn,
                p.birth_date.isoformat(),
                p.get_sex_display(),
                p.phone,
            )
            for p, url in zip(patients, chart_urls(patients), strict=True)
        ),
    )
