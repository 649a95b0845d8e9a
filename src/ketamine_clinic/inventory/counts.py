"""Physical counts reconciled against the ledger, and the loss reports they open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.clinical import reconciliation
from ketamine_clinic.clinical.ledger import LedgerError, to_mg
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.inventory.models import (
    Container,
    Count,
    CountLine,
    LedgerTransaction,
    LossReport,
    Registration,
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


def record_count(
    actor: Actor,
    clinic: Clinic,
    *,
    kind: str,
    time_of_day: str,
    taken_at: datetime,
    counted: list[Counted],
    note: str = "",
) -> tuple[Count, reconciliation.Outcome, LossReport | None]:
    """Store the count with what the ledger expected; an exact shortfall opens a loss report
    with its DEA deadlines. Initial and biennial inventories must cover every container."""
    if taken_at > timezone.now():
        raise InvalidInput("taken_at", "must not be in the future")
    ids = [c.container.pk for c in counted]
    if len(ids) != len(set(ids)):
        raise InvalidInput("lines", "a container is counted twice")
    if any(c.container.clinic_id != clinic.pk for c in counted):
        raise InvalidInput("lines", "a container is not of this clinic")
    if kind != Count.Kind.AD_HOC:
        stocked = Container.objects.filter(clinic=clinic, balance_mg__gt=0).exclude(pk__in=ids)
        missing = [c.label for c in stocked]
        if missing:
            raise InvalidInput(
                "lines", f"an inventory counts every container: {', '.join(missing)}"
            )
    registration = Registration.objects.filter(clinic=clinic).first()
    lines = []
    for n, c in enumerate(counted):
        expected = balance_at(c.container, taken_at)
        try:
            reconciliation.check_estimate(
                estimated=c.estimated,
                opened=expected < c.container.product.container_mg,
                exact_required=registration is not None and registration.exact_counts,
            )
        except reconciliation.CountError as exc:
            raise InvalidInput(f"lines[{n}].{exc.field}", exc.message) from None
        lines.append(reconciliation.Line(str(c.container.pk), expected, c.counted_mg, c.estimated))
    outcome = reconciliation.reconcile(lines)
    report = None
    with transaction.atomic():
        count = Count.objects.create(
            clinic=clinic,
            kind=kind,
            time_of_day=time_of_day,
            taken_at=taken_at,
            performed_by=actor.user,
            note=note,
            shortfall_mg=outcome.shortfall_mg,
        )
        for c, line in zip(counted, lines, strict=True):
            CountLine.objects.create(
                count=count,
                container=c.container,
                expected_mg=line.expected_mg,
                counted_mg=line.counted_mg,
                estimated=line.estimated,
            )
        if outcome.shortfall_mg > 0:
            discovered = timezone.localtime(taken_at).date()
            short = [c.container.label for c, line in zip(counted, lines, strict=True) if
                     not line.estimated and line.difference_mg < 0]  # fmt: skip
            report = LossReport.objects.create(
                clinic=clinic,
                count=count,
                discovered_on=discovered,
                quantity_mg=outcome.shortfall_mg,
                description=f"Count shortfall in {', '.join(short)}",
                notice_due=reconciliation.next_business_day(discovered),
                form_106_due=reconciliation.form_106_due(discovered),
                created_by=actor.user,
            )
        record_access(actor, action="create", what=f"ledger.count {kind}", clinic=clinic)
    return count, outcome, report


def _update_report(
    actor: Actor, report: LossReport, version: int, changes: dict[str, Any]
) -> LossReport:
    with transaction.atomic():
        done = LossReport.objects.filter(pk=report.pk, version=version).update(
            version=F("version") + 1, **changes
        )
        if not done:
            raise Conflict("this loss report was changed by someone else: reload it")
        fresh = LossReport.objects.get(pk=report.pk)
        fresh._history_user = actor.user  # type: ignore[attr-defined]
        fresh.save()
        record_access(
            actor, action="update", what=f"ledger.loss_report {report.pk}", clinic=report.clinic_id
        )
    return fresh


def record_notice(actor: Actor, report: LossReport, version: int, sent_on: date) -> LossReport:
    """The written notice to the DEA field office went out."""
    if report.notice_sent_on is not None:
        raise Conflict("the notice is recorded already")
    if sent_on < report.discovered_on or sent_on > timezone.localdate():
        raise InvalidInput("sent_on", "between the discovery and today")
    return _update_report(actor, report, version, {"notice_sent_on": sent_on})


def record_form_106(
    actor: Actor, report: LossReport, version: int, filed_on: date, reference: str
) -> LossReport:
    if report.form_106_filed_on is not None:
        raise Conflict("Form 106 is recorded already")
    if filed_on < report.discovered_on or filed_on > timezone.localdate():
        raise InvalidInput("filed_on", "between the discovery and today")
    if not reference.strip():
        raise InvalidInput("reference", "the Form 106 confirmation")
    return _update_report(
        actor, report, version, {"form_106_filed_on": filed_on, "form_106_reference": reference}
    )


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
