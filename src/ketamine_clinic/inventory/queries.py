"""What the ledger's screens and API read: products, containers and their transactions, the
registration, counts and loss reports, balances at a moment, the last inventory and the
ledger's tasks for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from ketamine_clinic.clinical import reconciliation
from ketamine_clinic.clinical.ledger import LedgerError, to_mg
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.inventory.models import (
    Container,
    Count,
    CountLine,
    LedgerTransaction,
    LossReport,
    Product,
    Registration,
)


def products(clinic_id: Any) -> QuerySet[Product]:
    return Product.objects.filter(clinic_id=clinic_id).order_by("name")


def product(product_id: Any) -> Product | None:
    """A product of any clinic: the caller checks who may see it."""
    return Product.objects.filter(pk=product_id).first()


def containers(clinic_id: Any, *, empty: bool = False) -> QuerySet[Container]:
    """The clinic's containers with their product: those holding stock, or all."""
    found = Container.objects.filter(clinic_id=clinic_id).select_related("product")
    return found if empty else found.filter(balance_mg__gt=0)


def container(container_id: Any, clinic_id: Any = None) -> Container | None:
    """A container with its product, of any clinic (the caller checks who may see it) or of
    the one named."""
    found = Container.objects.select_related("product").filter(pk=container_id)
    if clinic_id is not None:
        found = found.filter(clinic_id=clinic_id)
    return found.first()


def transactions(*, container: Container | None = None, clinic_id: Any = None) -> Any:
    """One container's transactions or the clinic's, oldest first, with who and for whom."""
    found = LedgerTransaction.objects.select_related("performer", "witness", "patient")
    if container is not None:
        return found.filter(container=container)
    return found.filter(container__clinic_id=clinic_id)


def clinic_transaction(clinic_id: Any, transaction_id: Any) -> LedgerTransaction | None:
    return LedgerTransaction.objects.filter(
        pk=transaction_id, container__clinic_id=clinic_id
    ).first()


def registration(clinic_id: Any) -> Registration | None:
    """The location's DEA registration, if recorded."""
    return Registration.objects.filter(clinic_id=clinic_id).first()


def recent_counts(clinic_id: Any, limit: int = 100) -> QuerySet[Count]:
    return Count.objects.filter(clinic_id=clinic_id).select_related("performed_by")[:limit]


def count(clinic_id: Any, count_id: Any) -> Count | None:
    return Count.objects.filter(pk=count_id, clinic_id=clinic_id).first()


def count_lines(found: Count) -> QuerySet[CountLine]:
    return found.lines.select_related("container")


def last_counted(clinic_id: Any) -> dict[Any, CountLine]:
    """Each stocked container's latest count line, by container id (one query)."""
    lines = (
        CountLine.objects.filter(container__clinic_id=clinic_id, container__balance_mg__gt=0)
        .select_related("count")
        .order_by("container_id", "-count__taken_at")
    )
    latest: dict[Any, CountLine] = {}
    for line in lines:
        latest.setdefault(line.container_id, line)
    return latest


def loss_report(report_id: Any, clinic_id: Any = None) -> LossReport | None:
    """A loss report of any clinic (the caller checks who may see it) or of the one named."""
    found = LossReport.objects.filter(pk=report_id)
    if clinic_id is not None:
        found = found.filter(clinic_id=clinic_id)
    return found.first()


def loss_reports_of(found: Count) -> QuerySet[LossReport]:
    return LossReport.objects.filter(count=found)


def closed_loss_reports(clinic_id: Any, limit: int = 50) -> QuerySet[LossReport]:
    """Loss reports with both DEA deadlines met."""
    return LossReport.objects.filter(
        clinic_id=clinic_id, notice_sent_on__isnull=False, form_106_filed_on__isnull=False
    )[:limit]


def history(report: LossReport) -> Any:
    """Every version of a loss report, oldest first, with who made it."""
    return report.history.select_related("history_user").order_by("history_date")


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
        return f"done {date_format(done)}"
    days = (due - today).days
    if days < 0:
        return "overdue"
    return "due today" if days == 0 else f"due in {days} day{pluralize(days)}"


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
