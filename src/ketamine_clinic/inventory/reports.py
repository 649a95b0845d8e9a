"""Ledger reports for the owner and the inspector: the dispensing record of 21 CFR
1304.22(c), one container's history, usage by patient and by nurse, and waste by nurse (a
diversion signal); each as rows, a CSV or a PDF."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from ketamine_clinic.common.days import days_span
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.pdf import pdf_response, render_pdf
from ketamine_clinic.inventory.models import Container, LedgerTransaction, Registration

TITLES = {
    "dispensing-record": "Dispensing record (21 CFR 1304.22(c))",
    "container-history": "Container history",
    "usage-by-patient": "Usage by patient",
    "usage-by-nurse": "Administrations by nurse",
    "waste-by-nurse": "Waste by nurse",
}
REPORTS = tuple(TITLES)
NOTES = {
    "waste-by-nurse": "A share of the waste far above a person's share of the doses given is a "
    "signal worth a look, not a finding.",
    "usage-by-nurse": "Compare with waste by nurse over the same period.",
}


MAX_DAYS = 3 * 366


def check_period(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput("end", "must not be before start")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput("end", "at most three years at a time")


def _window(clinic_id: Any, start: date, end: date) -> Any:
    since, until = days_span(start, end)
    return (
        LedgerTransaction.objects.filter(
            container__clinic_id=clinic_id, event_at__gte=since, event_at__lt=until
        )
        .select_related("container__product", "performer", "witness", "patient", "corrects")
        .order_by("event_at", "recorded_at")
    )


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def dispensing_record(clinic_id: Any, start: date, end: date) -> list[dict[str, Any]]:
    """Every receipt, administration and disposal: substance, form and strength, container;
    for receipts the supplier (name, address, DEA number); for administrations the patient's
    name and address and who gave it; for disposals the manner."""
    rows = []
    for t in _window(clinic_id, start, end):
        product, container = t.container.product, t.container
        rows.append(
            {
                "date": timezone.localtime(t.event_at).strftime("%Y-%m-%d %H:%M"),
                "kind": t.kind,
                "substance": product.get_substance_display(),
                "product": product.name,
                "ndc": product.ndc,
                "form": product.form,
                "container": container.label,
                "lot": container.lot,
                "quantity_mg": str(t.quantity_mg),
                "balance_after_mg": str(t.balance_after_mg),
                "supplier": (
                    f"{container.supplier_name}, {container.supplier_address}, "
                    f"DEA {container.supplier_dea}"
                    if t.kind == "receive"
                    else ""
                ),
                "patient": t.patient.full_name if t.patient else "",
                "patient_address": t.patient.address if t.patient else "",
                "by": _name(t.performer),
                "witness": _name(t.witness),
                "manner": t.reason or t.reference,
            }
        )
    return rows


def container_history(container: Container, start: date, end: date) -> list[dict[str, Any]]:
    """Every movement of one container, with the balance before and after and when it was
    entered (event time and entry time differ when a record is made late)."""
    return [
        {
            "date": timezone.localtime(t.event_at).strftime("%Y-%m-%d %H:%M"),
            "recorded": timezone.localtime(t.recorded_at).strftime("%Y-%m-%d %H:%M"),
            "kind": t.kind,
            "entered": t.entered_quantity,
            "quantity_mg": str(t.quantity_mg),
            "balance_before_mg": str(t.balance_before_mg),
            "balance_after_mg": str(t.balance_after_mg),
            "by": _name(t.performer),
            "witness": _name(t.witness),
            "patient": t.patient.full_name if t.patient else "",
            "reason": t.reason,
            "reference": t.reference,
            "corrects": str(t.corrects.pk) if t.corrects else "",
        }
        for t in _window(container.clinic_id, start, end).filter(container=container)
    ]


def _totals(clinic_id: Any, start: date, end: date, kind: str, key: str) -> list[dict[str, Any]]:
    grouped: dict[str, list[Decimal]] = defaultdict(list)
    for t in _window(clinic_id, start, end).filter(kind=kind):
        who = t.patient.full_name if key == "patient" and t.patient else _name(t.performer)
        grouped[who].append(t.quantity_mg)
    total = sum((q for qs in grouped.values() for q in qs), start=Decimal(0))
    return [
        {
            key: who,
            "transactions": len(qs),
            "total_mg": str(sum(qs, start=Decimal(0))),
            "share_pct": f"{(sum(qs, start=Decimal(0)) * 100 / total):.1f}" if total else "0.0",
        }
        for who, qs in sorted(grouped.items(), key=lambda item: -sum(item[1]))
    ]


def build(
    name: str, clinic_id: Any, start: date, end: date, container: Container | None = None
) -> list[dict[str, Any]]:
    if name == "container-history":
        if container is None:
            raise ValueError("container-history needs a container")
        return container_history(container, start, end)
    if name == "dispensing-record":
        return dispensing_record(clinic_id, start, end)
    if name == "usage-by-patient":
        return _totals(clinic_id, start, end, "administer", "patient")
    if name == "usage-by-nurse":
        return _totals(clinic_id, start, end, "administer", "nurse")
    return _totals(clinic_id, start, end, "waste", "nurse")


# The column headings a person reads on the screen and in the PDF; the CSV keeps the keys,
# which a spreadsheet or script relies on.
HEADINGS = {
    "ndc": "NDC",
    "quantity_mg": "Quantity (mg)",
    "balance_before_mg": "Balance before (mg)",
    "balance_after_mg": "Balance after (mg)",
    "total_mg": "Total (mg)",
    "share_pct": "Share (%)",
    "patient_address": "Patient's address",
    "entered": "Entered as",
    "manner": "Manner of disposal or reason",
}


def headings(rows: list[dict[str, Any]]) -> list[str]:
    return (
        [HEADINGS.get(key, key.replace("_", " ").capitalize()) for key in rows[0]] if rows else []
    )


def as_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def respond(
    name: str,
    rows: list[dict[str, Any]],
    fmt: str,
    *,
    clinic: Any,
    start: date,
    end: date,
    container: Container | None = None,
) -> HttpResponse:
    """The report as a download: CSV for a spreadsheet, PDF for the inspector's binder, headed
    with the registrant, the period and when it was made."""
    stem = f"{name}{'-' + container.label if container else ''}-{start}-{end}"
    if fmt == "csv":
        response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    pdf = render_pdf(
        "inventory/report_pdf.html",
        {
            "title": TITLES[name],
            "note": NOTES.get(name, ""),
            "clinic": clinic,
            "registration": Registration.objects.filter(clinic=clinic).first(),
            "container": container,
            "start": start,
            "end": end,
            "made_at": timezone.localtime(),
            "columns": headings(rows),
            "rows": [list(row.values()) for row in rows],
            "wide": name in ("dispensing-record", "container-history"),
        },
    )
    return pdf_response(pdf, f"{stem}.pdf", download=True)
