"""Writes to the ledger: products, receipts and every movement of stock, each in one
transaction with the container's balance and the audit row. The rules are in
`clinical.ledger`; this module applies them to the stored books."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic, User
from ketamine_clinic.clinical.ledger import LedgerError, Movement, book, dea_number_problem
from ketamine_clinic.errors import Conflict, InvalidInput
from ketamine_clinic.inventory.models import Container, LedgerTransaction, Product

MAX_CONTAINERS_PER_RECEIPT = 200


def _invalid(exc: LedgerError) -> InvalidInput:
    return InvalidInput(exc.field, exc.message)


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
    prefix = "E" if receipt.product.substance == "esketamine" else "K"
    containers = []
    with transaction.atomic():
        used = Container.objects.filter(clinic=clinic, label__startswith=prefix).aggregate(
            n=Max("label")
        )["n"]
        start = int(used[1:]) + 1 if used and used[1:].isdigit() else 1
        for n in range(start, start + receipt.count):
            container = Container.objects.create(
                clinic=clinic,
                product=receipt.product,
                label=f"{prefix}{n:05d}",
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
                    quantity_mg=receipt.product.container_mg,
                    performer=str(actor.user.pk),
                    performer_role=role,
                    event_on=timezone.localtime(receipt.received_at).date(),
                    expires_on=receipt.expires_on,
                ),
                event_at=receipt.received_at,
                entered=f"1 container ({receipt.product.container_mg} mg)",
            )
            containers.append(container)
        record_access(
            actor,
            action="create",
            what=f"ledger.receive {receipt.count} x {receipt.product.ndc}",
            clinic=clinic,
        )
    return containers


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
