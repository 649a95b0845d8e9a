"""Ledger reports for the owner and the inspector: the dispensing record of 21 CFR
1304.22(c), usage by patient and by nurse, and waste by nurse (a diversion signal)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ketamine_clinic.inventory.models import LedgerTransaction

REPORTS = ("dispensing-record", "usage-by-patient", "usage-by-nurse", "waste-by-nurse")


def _window(clinic_id: Any, start: date, end: date) -> Any:
    tz = timezone.get_current_timezone()
    return (
        LedgerTransaction.objects.filter(
            container__clinic_id=clinic_id,
            event_at__gte=datetime.combine(start, time.min, tzinfo=tz),
            event_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
        )
        .select_related("container__product", "performer", "witness", "patient")
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


def build(name: str, clinic_id: Any, start: date, end: date) -> list[dict[str, Any]]:
    if name == "dispensing-record":
        return dispensing_record(clinic_id, start, end)
    if name == "usage-by-patient":
        return _totals(clinic_id, start, end, "administer", "patient")
    if name == "usage-by-nurse":
        return _totals(clinic_id, start, end, "administer", "nurse")
    return _totals(clinic_id, start, end, "waste", "nurse")


def as_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
