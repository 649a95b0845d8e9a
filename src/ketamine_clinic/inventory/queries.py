"""What the ledger's screens and API read: counted lines, balances at a moment, the last
inventory, open loss reports and the ledger's tasks for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ketamine_clinic.clinical import reconciliation
from ketamine_clinic.clinical.ledger import LedgerError, to_mg
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.inventory.models import (
    Container,
    Count,
    LedgerTransaction,
    LossReport,
)


@dataclass(frozen=True)
class Counted:
    container: Container
    counted_mg: Decimal
    estimated: bool


@dataclass(frozen=True)
class Entered:
    """A count line as a person enters it, in the product's units."""

    container: Any  # the container's id
    quantity: Decimal
    unit: str
    estimated: bool = False


def counted_lines(clinic_id: Any, entered: list[Entered]) -> list[Counted]:
    """The entered lines as mg per container of this clinic; errors name the line
    (`lines[2].quantity`)."""
    found = {
        c.pk: c
        for c in Container.objects.select_related("product").filter(
            clinic_id=clinic_id, pk__in=[e.container for e in entered]
        )
    }
    counted = []
    for n, item in enumerate(entered):
        container = found.get(item.container)
        if container is None:
            raise InvalidInput(f"lines[{n}].container", "no such container in this clinic")
        product = container.product
        if item.quantity < 0:
            raise InvalidInput(f"lines[{n}].quantity", "must not be negative")
        try:
            mg = (
                to_mg(
                    item.quantity,
                    item.unit,
                    substance=product.substance,
                    concentration_mg_per_ml=product.concentration_mg_per_ml,
                )
                if item.quantity > 0
                else Decimal(0)
            )
        except LedgerError as exc:
            raise InvalidInput(f"lines[{n}].{exc.field}", exc.message) from None
        counted.append(Counted(container, mg, item.estimated))
    return counted


def balance_at(container: Container, moment: datetime) -> Decimal:
    """What the ledger said was in the container at that moment."""
    last = (
        LedgerTransaction.objects.filter(container=container, event_at__lte=moment)
        .order_by("-event_at", "-recorded_at")
        .first()
    )
    return last.balance_after_mg if last else Decimal(0)


def deadline(due: date, done: date | None, today: date) -> str:
    if done is not None:
        return f"done {done.isoformat()}"
    days = (due - today).days
    return "overdue" if days < 0 else ("due today" if days == 0 else f"due in {days} days")


def last_inventory_on(clinic_id: Any) -> date | None:
    """The day of the last initial or biennial inventory."""
    last = (
        Count.objects.filter(clinic_id=clinic_id, kind__in=["initial", "biennial"])
        .order_by("-taken_at")
        .first()
    )
    return timezone.localtime(last.taken_at).date() if last else None


def open_loss_reports(clinic_id: Any) -> Any:
    """Loss reports with a DEA deadline still to meet."""
    return LossReport.objects.filter(clinic_id=clinic_id).filter(
        Q(notice_sent_on__isnull=True) | Q(form_106_filed_on__isnull=True)
    )


def ledger_tasks(clinic_id: Any) -> dict[str, Any]:
    """For the dashboard: the next inventory and the DEA deadlines still open."""
    today = timezone.localdate()
    last_on = last_inventory_on(clinic_id)
    due = reconciliation.biennial_due(last_on)
    return {
        "last_inventory": last_on,
        "inventory_status": "no initial inventory recorded"
        if due is None
        else deadline(due, None, today),
        "losses": [
            {
                "report": r,
                "notice": deadline(r.notice_due, r.notice_sent_on, today),
                "form_106": deadline(r.form_106_due, r.form_106_filed_on, today),
            }
            for r in open_loss_reports(clinic_id)
        ],
    }
