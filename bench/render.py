"""The busiest pages' tables and links: the template code they replaced against what builds
them now, in one run.

    .venv/bin/python bench/render.py [--repeat 2000]

- a chart's five record tables, three records each: the template loop over every cell
  (the partial the chart used before) against `patient_tables.record_table`;
- a page of 50 patients in the patient list: the template loop against `patient_rows`;
- the 14 links of a chart page: Django's `reverse` against `links.link`.

Both sides of each line make the same HTML (checked before timing, ignoring the whitespace
between tags). Needs no database: the records are made in memory.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from timing import per_call_us  # beside this file

# The partials as they were (git history: patients/partials/records.html and results.html).
RECORDS_BEFORE = """{% load baseline %}{% if rows %}
<div class="table-responsive">
<table class="table table-sm align-middle text-nowrap">
  <thead><tr>{% for label in kind|record_columns %}<th scope="col">{{ label }}</th>{% endfor %}<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  {% for record, error_url in rows %}
  <tr{% if record.in_error %} class="text-decoration-line-through text-body-secondary"{% endif %}>
    {% for value in record|record_values:kind %}<td>{{ value }}</td>{% endfor %}
    <td class="text-end">
      {% if record.in_error %}<span class="badge text-bg-danger" title="{{ record.entered_in_error_reason }}">Entered in error</span>
      {% elif may_add %}<a class="btn btn-sm btn-link text-danger" href="{{ error_url }}">Mark in error…</a>{% endif %}
    </td>
  </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% else %}
<p class="text-body-secondary">None recorded.</p>
{% endif %}"""  # noqa: E501
ROWS_BEFORE = """{% for p, chart in patients %}
    <tr data-href="{{ chart }}">
      <td><a href="{{ chart }}">{{ p.family_name }}, {{ p.given_name }}</a>{% if p.in_error %} <span class="badge text-bg-danger">Entered in error</span>{% endif %}</td>
      <td>{{ p.mrn }}</td><td>{{ p.birth_date|date:"Y-m-d" }}</td><td>{{ p.get_sex_display }}</td><td>{{ p.phone }}</td>
    </tr>
  {% empty %}
    <tr><td colspan="5">No patients found.</td></tr>
  {% endfor %}"""  # noqa: E501


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def filler(field: Any, n: int) -> Any:
    """A plausible value for one of a record's fields."""
    if field.choices:
        return field.choices[n % len(field.choices)][0]
    kind = field.get_internal_type()
    if kind == "DateField":
        return date(2026, 1, 1 + n)
    if kind == "DateTimeField":
        return datetime(2026, 1, 1 + n, 9, 30, tzinfo=UTC)
    if kind == "DecimalField":
        return Decimal("72.50") + n
    if kind == "BooleanField":
        return n % 2 == 0
    if kind in ("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"):
        return 8 + n
    return f"value {n} <b>&</b>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("KC_DATA_DIR", tempfile.mkdtemp(prefix="kc-bench-"))
    os.environ.setdefault("KC_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.settings")
    import django

    django.setup()
    from django import template
    from django.template import Context, Engine
    from django.urls import reverse

    from ketamine_clinic.links import link
    from ketamine_clinic.patients.models import Patient
    from ketamine_clinic.patients.records import RECORD_KINDS
    from ketamine_clinic.patients.templatetags import patient_tables

    baseline = template.Library()  # the filters the old partial loaded
    baseline.filter("record_columns", patient_tables.record_columns)
    baseline.filter("record_values", patient_tables.record_values)
    sys.modules["kc_bench_baseline"] = type(sys)("kc_bench_baseline")
    sys.modules["kc_bench_baseline"].register = baseline  # type: ignore[attr-defined]
    engine = Engine(libraries={"baseline": "kc_bench_baseline"}, autoescape=True)
    records_before, rows_before = (
        engine.from_string(RECORDS_BEFORE),
        engine.from_string(ROWS_BEFORE),
    )

    patient_id = uuid.uuid4()
    tables = []
    for kind in RECORD_KINDS.values():
        rows = []
        for n in range(3):
            record = kind.model(patient_id=patient_id)
            for name in patient_tables._fields(kind):
                setattr(record, name, filler(kind.model._meta.get_field(name), n))
            if n == 2:
                record.status, record.entered_in_error_reason = "entered_in_error", "wrong chart"
            rows.append((record, f"/patients/{patient_id}/{kind.segment}/{uuid.uuid4()}/x/"))
        tables.append((kind, rows))
    patients = [
        (
            Patient(
                family_name=f"O'Brien-{n}",
                given_name="Ann <script>",
                mrn=f"M{n:05}",
                birth_date=date(1970, 1, 1 + n % 28),
                sex="female",
                phone="555 0100",
            ),
            f"/patients/{uuid.uuid4()}/",
        )
        for n in range(50)
    ]
    names = [
        ("patients:edit", [patient_id]),
        ("patients:in_error", [patient_id]),
        ("evaluations:chart_section", [patient_id]),
        ("treatment:chart_section", [patient_id]),
        ("assessments:measurements", [patient_id]),
        ("evaluations:notes", [patient_id]),
        *[("patients:record_add", [patient_id, segment]) for segment in RECORD_KINDS],
        ("home", []),
        ("two_factor", []),
        ("logout", []),
    ]

    def tables_before() -> str:
        return "".join(
            records_before.render(Context({"kind": kind, "rows": rows, "may_add": True}))
            for kind, rows in tables
        )

    def tables_now() -> str:
        return "".join(patient_tables.record_table(kind, rows, True) for kind, rows in tables)

    def patients_before() -> str:
        return rows_before.render(Context({"patients": patients}))

    def patients_now() -> str:
        return patient_tables.patient_rows(patients)

    def links_before() -> list[str]:
        return [reverse(name, args=args) for name, args in names]

    def links_now() -> list[str]:
        return [link(name, *args) for name, args in names]

    cases = [
        ("chart: 5 record tables, 15 rows", tables_before, tables_now),
        ("patient list: 50 rows", patients_before, patients_now),
        (f"chart: {len(names)} links", links_before, links_now),
    ]
    print(f"{'what':34} {'before us':>10} {'now us':>8} {'ratio':>6}")
    for label, before, now in cases:
        if isinstance(before(), str):
            assert squeeze(before()) == squeeze(now()), label  # the same HTML
        else:
            assert before() == now(), label
        before_us, now_us = per_call_us(before, args.repeat), per_call_us(now, args.repeat)
        print(f"{label:34} {before_us:10.1f} {now_us:8.1f} {before_us / now_us:5.1f}x")


if __name__ == "__main__":
    main()
