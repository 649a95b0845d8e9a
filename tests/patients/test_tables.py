"""The chart's record tables and the patient list's rows (patient_tables): every value
escaped, a link only for those who may use it, a record in error struck through."""

from __future__ import annotations

import re
import uuid
from datetime import date
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.patients.models import Allergy, Patient, PatientRecord
from ketamine_clinic.patients.records import RECORD_KINDS
from ketamine_clinic.patients.templatetags import patient_tables

pytestmark = pytest.mark.pure

KIND = RECORD_KINDS["allergies"]


def allergy(**fields: object) -> Allergy:
    values = {"substance": "Penicillin", "reaction": "rash", "severity": "mild"}
    return Allergy(**{**values, **fields})


CHART = Patient(family_name="Walker", given_name="James")


def record_table(records: list[PatientRecord], may_add: bool) -> str:
    """The chart's table of one kind of record, as the chart renders it."""
    return str(patient_tables.record_table(CHART, KIND, records, may_add))


def error_link(record: PatientRecord) -> str:
    return f"/patients/{CHART.pk}/allergies/{record.pk}/entered-in-error/"


def patient_rows(patients: list[Patient]) -> str:
    html = render_to_string("patients/partials/results.html", {"patients": patients})
    return html.split("<tbody>")[1].split("</tbody>")[0].strip()


def test_no_records() -> None:
    assert record_table([], True) == '<p class="text-body-secondary">None recorded.</p>'


def test_header_and_cells_in_the_kinds_order() -> None:
    record = allergy(noted_on=date(2026, 2, 3))
    html = record_table([record], True)
    assert '<th scope="col">Substance</th><th scope="col">Reaction</th>' in html
    assert '<th scope="col">Severity</th><th scope="col">Noted</th>' in html
    assert "<td>Penicillin</td><td>rash</td><td>Mild</td><td>3 Feb 2026</td>" in html
    assert f'href="{error_link(record)}">Mark in error…</a>' in html


def test_every_value_is_escaped() -> None:
    record = allergy(substance='"><script>x()</script>', reaction="a & b")
    html = record_table([record], True)
    assert "<script>" not in html
    assert "<td>&quot;&gt;&lt;script&gt;x()&lt;/script&gt;</td><td>a &amp; b</td>" in html


def test_no_link_for_a_viewer_who_may_not_add() -> None:
    html = record_table([allergy(), allergy(substance="Latex")], False)
    assert "Latex" in html
    assert "Mark in error" not in html
    assert "entered-in-error" not in html


def test_a_record_in_error_is_struck_through_with_its_reason() -> None:
    right = allergy(substance="Latex")
    wrong = allergy(status="entered_in_error", entered_in_error_reason='wrong <chart> "A"')
    html = record_table([right, wrong], True)
    first, second = html.split("<tbody>")[1].split("</tr>")[:2]
    assert "line-through" not in first
    assert error_link(right) in first
    assert '<tr class="text-decoration-line-through text-body-secondary">' in second
    assert 'title="wrong &lt;chart&gt; &quot;A&quot;">Entered in error</span>' in second
    assert error_link(wrong) not in second


@given(st.text(max_size=40), st.text(max_size=40))
def test_any_text_comes_back_as_it_was_typed(substance: str, reason: str) -> None:
    """Whatever is typed shows as typed and never as markup, in a cell and in an attribute."""
    wrong = allergy(substance=substance, status="entered_in_error", entered_in_error_reason=reason)
    html = record_table([wrong], True)
    cell = re.search(r"<tbody>\s*<tr[^>]*><td>([^<]*)</td>", html)
    title = re.search(r'title="([^"<>]*)">Entered in error', html)
    assert cell
    assert title
    assert unescape(cell[1]) == substance
    assert unescape(title[1]) == reason


def patient(**fields: object) -> Patient:
    values = {"family_name": "Walker", "given_name": "James", "mrn": "M-1", "sex": "male"}
    return Patient(**{"birth_date": date(1980, 5, 17), "phone": "555 0100", **values, **fields})


def test_patient_rows() -> None:
    james, ann = patient(), patient(given_name="Ann")
    html = patient_rows([james, ann])
    assert html == (
        f'<tr data-href="/patients/{james.pk}/"><td><a href="/patients/{james.pk}/">Walker, '
        "James</a></td><td>M-1</td><td>17 May 1980</td><td>Male</td><td>555 0100</td></tr>\n"
        f'<tr data-href="/patients/{ann.pk}/"><td><a href="/patients/{ann.pk}/">Walker, '
        "Ann</a></td><td>M-1</td><td>17 May 1980</td><td>Male</td><td>555 0100</td></tr>"
    )
    assert patient_rows([]) == '<tr><td colspan="5">No patients found.</td></tr>'


def test_patient_rows_mark_a_registration_in_error() -> None:
    html = patient_rows([patient(status="entered_in_error")])
    assert 'Walker, James</a> <span class="badge text-bg-danger">Entered in error</span>' in html


@given(st.text(max_size=30), st.text(max_size=30), st.text(max_size=20), st.text(max_size=20))
def test_patient_rows_show_any_text_as_typed(
    family: str, given_name: str, mrn: str, phone: str
) -> None:
    row = patient(family_name=family, given_name=given_name, mrn=mrn, phone=phone)
    html = patient_rows([row])
    cells = re.findall(r"<td>(?:<a [^>]*>)?([^<]*)", html)
    assert [unescape(c) for c in cells[:3]] == [f"{family}, {given_name}", mrn, "17 May 1980"]
    assert unescape(cells[4]) == phone


@given(st.lists(st.uuids(), max_size=5), st.sampled_from(sorted(RECORD_KINDS)))
def test_each_row_links_where_reverse_does(ids: list[uuid.UUID], segment: str) -> None:
    assert patient_tables.row_links("patients:chart", ids) == [
        reverse("patients:chart", args=[pk]) for pk in ids
    ]
    links = patient_tables.row_links("patients:record_in_error", ids, CHART.pk, segment)
    assert links == [
        reverse("patients:record_in_error", args=[CHART.pk, segment, pk]) for pk in ids
    ]
