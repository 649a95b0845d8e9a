"""Writes to the ledger: products, receipts and every movement of stock, each in one
transaction with the container's balance and the audit row. The rules are in
`clinical.ledger`; this module applies them to the stored books."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic, User
from ketamine_clinic.clinical import reconciliation
from ketamine_clinic.clinical.ledger import (
    LedgerError,
    Movement,
    book,
    dea_number_problem,
    to_mg,
)
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.inventory.models import (
    Container,
    Count,
    CountLine,
    LedgerTransaction,
    LossReport,
    Product,
    Registration,
)
from ketamine_clinic.inventory.queries import Counted, balance_at

MAX_CONTAINERS_PER_RECEIPT = 200


def _invalid(exc: LedgerError) -> InvalidInput:
    return InvalidInput(exc.field, exc.message)


def register(
    actor: Actor | None,
    clinic: Clinic,
    *,
    dea_number: str,
    name: str,
    address: str,
    exact_counts: bool | None = None,
) -> Registration:
    """The location's DEA registration (records are kept per registered location, 21 CFR
    1304.04); every change is kept in its history."""
    problem = dea_number_problem(dea_number)
    if problem:
        raise InvalidInput("dea_number", problem)
    if len(address.strip()) < 5:
        raise InvalidInput("address", "the registered address goes on the record")
    if not name.strip():
        raise InvalidInput("name", "the registrant's name goes on the record")
    with transaction.atomic():
        found = Registration.objects.select_for_update().filter(clinic=clinic).first()
        registration = found or Registration(clinic=clinic)
        registration.dea_number = dea_number
        registration.name = name.strip()
        registration.address = address.strip()
        if exact_counts is not None:
            registration.exact_counts = exact_counts
        if actor is not None:
            registration._history_user = actor.user  # type: ignore[attr-defined]
            record_access(actor, action="update", what="ledger.registration", clinic=clinic)
        registration.save()
    return registration


def add_product(actor: Actor, clinic: Clinic, values: dict[str, Any]) -> Product:
    if values["substance"] == "esketamine" and values.get("concentration_mg_per_ml"):
        raise InvalidInput("concentration_mg_per_ml", "esketamine comes in devices, not mL")
    if values["substance"] == "ketamine" and not values.get("concentration_mg_per_ml"):
        raise InvalidInput("concentration_mg_per_ml", "give the vial's concentration")
    try:
        with transaction.atomic():
            product = Product.objects.create(clinic=clinic, **values)
            record_access(
                actor, action="create", what=f"ledger.product {product.ndc}", clinic=clinic
            )
    except IntegrityError:
        raise Conflict(f"the clinic already has a product with NDC {values['ndc']}") from None
    return product


@dataclass(frozen=True)
class Receipt:
    product: Product
    count: int
    lot: str
    expires_on: date
    received_at: datetime
    supplier_name: str
    supplier_address: str
    supplier_dea: str
    invoice: str


def receive(actor: Actor, role: str, clinic: Clinic, receipt: Receipt) -> list[Container]:
    """Containers received from a supplier: each labelled, each with a receive transaction
    for its full content (the receipt record of 21 CFR 1304.22(c))."""
    if receipt.product.clinic_id != clinic.pk:
        raise InvalidInput("product", "no such product in this clinic")
    if not 1 <= receipt.count <= MAX_CONTAINERS_PER_RECEIPT:
        raise InvalidInput("count", f"between 1 and {MAX_CONTAINERS_PER_RECEIPT}")
    if receipt.expires_on < timezone.localdate():
        raise InvalidInput("expires_on", "already expired: do not accept it into stock")
    if receipt.received_at > timezone.now():
        raise InvalidInput("received_at", "must not be in the future")
    problem = dea_number_problem(receipt.supplier_dea)
    if problem:
        raise InvalidInput("supplier_dea", problem)
    with transaction.atomic():
        containers = [
            _stock(actor, role, clinic, receipt, receipt.product.container_mg)
            for _ in range(receipt.count)
        ]
        record_access(
            actor,
            action="create",
            what=f"ledger.receive {receipt.count} x {receipt.product.ndc}",
            clinic=clinic,
        )
    return containers


def _stock(
    actor: Actor,
    role: str,
    clinic: Clinic,
    receipt: Receipt,
    quantity_mg: Decimal,
    counterpart: LedgerTransaction | None = None,
) -> Container:
    """One new container, labelled in sequence (K00001 ketamine, E00001 esketamine), with
    its receive transaction."""
    prefix = "E" if receipt.product.substance == "esketamine" else "K"
    used = Container.objects.filter(clinic=clinic, label__startswith=prefix).aggregate(
        n=Max("label")
    )["n"]
    number = int(used[1:]) + 1 if used and used[1:].isdigit() else 1
    container = Container.objects.create(
        clinic=clinic,
        product=receipt.product,
        label=f"{prefix}{number:05d}",
        lot=receipt.lot,
        expires_on=receipt.expires_on,
        received_at=receipt.received_at,
        supplier_name=receipt.supplier_name,
        supplier_address=receipt.supplier_address,
        supplier_dea=receipt.supplier_dea,
        invoice=receipt.invoice,
    )
    move(
        actor,
        role,
        container,
        Movement(
            kind="receive",
            quantity_mg=quantity_mg,
            performer=str(actor.user.pk),
            performer_role=role,
            event_on=timezone.localtime(receipt.received_at).date(),
            expires_on=receipt.expires_on,
        ),
        event_at=receipt.received_at,
        entered=f"{quantity_mg} mg"
        + (" (full container)" if quantity_mg == receipt.product.container_mg else ""),
        links={"counterpart": counterpart} if counterpart is not None else None,
    )
    return container


@dataclass(frozen=True)
class Entry:
    """A movement as a person enters it: in the product's units, at a time, with what the
    kind needs (a witness for waste, a reason, a reference)."""

    kind: str
    quantity: Decimal
    unit: str
    event_at: datetime
    reason: str = ""
    reference: str = ""
    increase: bool = False
    witness: User | None = None
    witness_role: str | None = None
    corrects: LedgerTransaction | None = None


def record(actor: Actor, role: str, container: Container, entry: Entry) -> LedgerTransaction:
    """A waste, destroy, loss, adjust or transfer out of the registrant, entered by a person
    (the API and the vault screens): converted to mg by the product, then booked."""
    if entry.kind == "administer":
        raise InvalidInput("kind", "doses are booked at the chair, with their session")
    if entry.kind == "receive":
        raise InvalidInput("kind", "stock is received as a receipt, with its supplier")
    product = container.product
    try:
        quantity = to_mg(
            entry.quantity,
            entry.unit,
            substance=product.substance,
            concentration_mg_per_ml=product.concentration_mg_per_ml,
        )
    except LedgerError as exc:
        raise _invalid(exc) from None
    movement = Movement(
        kind=entry.kind,
        quantity_mg=quantity,
        performer=str(actor.user.pk),
        performer_role=role,
        event_on=timezone.localtime(entry.event_at).date(),
        expires_on=container.expires_on,
        witness=str(entry.witness.pk) if entry.witness else None,
        witness_role=entry.witness_role,
        reason=entry.reason,
        reference=entry.reference,
        increase=entry.increase,
    )
    return move(
        actor,
        role,
        container,
        movement,
        event_at=entry.event_at,
        entered=quantity_text(entry.quantity, entry.unit),
        witness=entry.witness,
        corrects=entry.corrects,
    )


def transfer(
    actor: Actor, role: str, container: Container, entry: Entry, to_clinic: Clinic, to_role: str
) -> tuple[LedgerTransaction, LedgerTransaction]:
    """Stock moved to another of the organisation's registered locations: the transfer out
    here and the receipt there are booked together, the receipt naming this registrant as
    its supplier and pointing to the transfer it books (21 CFR 1304.22(c): receipts carry
    the supplier's name, address and DEA number)."""
    if to_clinic.pk == container.clinic_id:
        raise InvalidInput("to_clinic", "a transfer goes to another location")
    source = Registration.objects.filter(clinic_id=container.clinic_id).first()
    target = Registration.objects.filter(clinic=to_clinic).first()
    if source is None:
        raise InvalidInput("container", "this location has no DEA registration recorded")
    if target is None:
        raise InvalidInput("to_clinic", "that location has no DEA registration recorded")
    product = Product.objects.filter(clinic=to_clinic, ndc=container.product.ndc).first()
    if product is None:
        raise InvalidInput(
            "to_clinic", f"add the product NDC {container.product.ndc} at {to_clinic.name} first"
        )
    if not entry.reference.strip():
        raise InvalidInput("reference", "the invoice or transfer record number")
    if container.expires_on < timezone.localtime(entry.event_at).date():
        raise InvalidInput("container", "expired: it goes to a reverse distributor, not on")
    reason = entry.reason.strip() or f"Transfer to {target.name} (DEA {target.dea_number})"
    with transaction.atomic():
        out = record(actor, role, container, replace(entry, kind="transfer", reason=reason))
        receipt = Receipt(
            product=product,
            count=1,
            lot=container.lot,
            expires_on=container.expires_on,
            received_at=entry.event_at,
            supplier_name=source.name,
            supplier_address=source.address,
            supplier_dea=source.dea_number,
            invoice=entry.reference.strip(),
        )
        received = _stock(actor, to_role, to_clinic, receipt, out.quantity_mg, counterpart=out)
    return out, received.transactions.get()


def move(
    actor: Actor,
    role: str,
    container: Container,
    movement: Movement,
    *,
    event_at: datetime,
    entered: str,
    witness: User | None = None,
    links: dict[str, Any] | None = None,
    corrects: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Book one movement: the rules, then the balance moved by a conditional update (a second
    booking against the same balance conflicts instead of being lost), then the transaction
    row with the balance before and after. The caller may hold a wider transaction (a dose
    and its ledger entry commit together)."""
    if event_at > timezone.now():
        raise InvalidInput("event_at", "must not be in the future")
    if corrects is not None and corrects.container_id != container.pk:
        raise InvalidInput("corrects", "is not a transaction of this container")
    if (str(witness.pk) if witness is not None else None) != movement.witness:
        # The row must name the person the rules checked, never another or none.
        raise InvalidInput("witness", "the witness recorded is not the witness checked")
    with transaction.atomic():
        before = Container.objects.filter(pk=container.pk).values_list("balance_mg", flat=True)[0]
        try:
            after = book(before, movement)
        except LedgerError as exc:
            raise _invalid(exc) from None
        moved = Container.objects.filter(pk=container.pk, balance_mg=before).update(
            balance_mg=after
        )
        if not moved:
            raise Conflict("the container's balance changed meanwhile: try again")
        row = LedgerTransaction.objects.create(
            container=container,
            kind=movement.kind,
            event_at=event_at,
            quantity_mg=movement.quantity_mg,
            entered_quantity=entered,
            balance_before_mg=before,
            balance_after_mg=after,
            performer=actor.user,
            witness=witness,
            reason=movement.reason,
            reference=movement.reference,
            corrects=corrects,
            **(links or {}),
        )
        patient = (links or {}).get("patient")
        record_access(
            actor,
            action="create",
            what=f"ledger.{movement.kind} {container.label}",
            clinic=container.clinic_id,
            patient_id=patient.pk if patient is not None else None,
        )
    container.balance_mg = after
    return row


def quantity_text(quantity: Decimal, unit: str) -> str:
    return f"{quantity.normalize():f} {unit}"


# --- Counts and loss reports ------------------------------------------------------------------


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
