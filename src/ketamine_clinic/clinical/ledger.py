"""The controlled-substance ledger's rules: every movement of ketamine or esketamine out of or
into a container, checked before it is booked.

Ketamine (racemic and esketamine) is Schedule III in the US: the clinic accounts for every
milligram from receipt to administration, waste or destruction (21 CFR 1304.21-1304.22;
CLINICAL.md 5). Quantities are milligrams of the substance, in exact decimals; a balance
never goes below zero, a partial dose is wasted only before a second licensed witness who is
not the person wasting it, and nothing is given from an expired container.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from ketamine_clinic.clinical.dates import shown
from ketamine_clinic.clinical.rule_error import RuleError

Kind = Literal["receive", "administer", "waste", "transfer", "destroy", "loss", "adjust"]
KINDS: tuple[str, ...] = ("receive", "administer", "waste", "transfer", "destroy", "loss", "adjust")
OUTGOING = frozenset({"administer", "waste", "transfer", "destroy", "loss"})
# Licensed to administer and to witness waste: nurses and prescribers (CLINICAL.md 5; a
# second licensed person witnesses the waste of a partial dose).
LICENSED_ROLES = frozenset({"nurse", "prescriber"})
# Adjusting the books is a supervisory act: prescribers (the registrant's practitioners) and
# clinic admins, always with a reason.
ADJUSTING_ROLES = frozenset({"prescriber", "admin"})
MIN_REASON = 10
MG = Decimal("0.01")
ESKETAMINE_DEVICE_MG = Decimal(28)


class LedgerError(RuleError):
    """A movement the ledger refuses; `field` names why (HTTP 422)."""


@dataclass(frozen=True)
class Movement:
    kind: str
    quantity_mg: Decimal
    performer: str
    performer_role: str
    event_on: date
    expires_on: date
    witness: str | None = None
    witness_role: str | None = None
    reason: str = ""
    reference: str = ""
    increase: bool = False  # adjust only: add to the balance instead of removing


def to_mg(
    quantity: Decimal,
    unit: str,
    *,
    substance: str,
    concentration_mg_per_ml: Decimal | None,
) -> Decimal:
    """A quantity in the product's units, as mg: mg as is, mL by the concentration, a device as
    28 mg of esketamine. A unit the product does not come in is refused."""
    if not quantity.is_finite() or quantity <= 0:
        raise LedgerError("quantity", "must be above zero")
    if unit == "mg":
        mg = quantity
    elif unit == "mL":
        if concentration_mg_per_ml is None:
            raise LedgerError("unit", "this product is not a solution: use mg or device")
        mg = quantity * concentration_mg_per_ml
    elif unit == "device":
        if substance != "esketamine":
            raise LedgerError("unit", "only esketamine comes in devices")
        if quantity != quantity.to_integral_value():
            raise LedgerError("quantity", "devices are counted whole")
        mg = quantity * ESKETAMINE_DEVICE_MG
    else:
        raise LedgerError("unit", "must be mg, mL or device")
    exact = mg.quantize(MG)
    if exact != mg:
        raise LedgerError("quantity", "more precise than 0.01 mg")
    return exact


def book(balance_mg: Decimal, movement: Movement) -> Decimal:
    """The container's balance after the movement, or LedgerError saying why not."""
    kind, quantity = movement.kind, movement.quantity_mg
    if kind not in KINDS:
        raise LedgerError("kind", f"must be one of {', '.join(KINDS)}")
    if not quantity.is_finite() or quantity <= 0:
        raise LedgerError("quantity", "must be above zero")
    if kind == "administer":
        if movement.performer_role not in LICENSED_ROLES:
            raise LedgerError("performer", "only a nurse or prescriber administers")
        if movement.event_on > movement.expires_on:
            raise LedgerError(
                "container", f"expired on {shown(movement.expires_on)}: do not administer"
            )
    if kind == "waste":
        if movement.witness is None:
            raise LedgerError("witness", "waste is witnessed by a second licensed person")
        if movement.witness == movement.performer:
            raise LedgerError("witness", "the witness must be someone other than the performer")
        if movement.witness_role not in LICENSED_ROLES:
            raise LedgerError("witness", "the witness must be a nurse or prescriber")
    if kind == "adjust":
        if movement.performer_role not in ADJUSTING_ROLES:
            raise LedgerError("performer", "only a prescriber or admin adjusts the ledger")
        if len(movement.reason.strip()) < MIN_REASON:
            raise LedgerError("reason", f"an adjustment needs a reason ({MIN_REASON}+ characters)")
    if kind in ("loss", "transfer") and len(movement.reason.strip()) < MIN_REASON:
        raise LedgerError("reason", f"say what happened ({MIN_REASON}+ characters)")
    if kind == "destroy" and not movement.reference.strip():
        raise LedgerError("reference", "the reverse distributor's or Form 41 reference")
    if kind == "receive" or (kind == "adjust" and movement.increase):
        return balance_mg + quantity
    after = balance_mg - quantity
    if after < 0:
        raise LedgerError("quantity", f"only {balance_mg} mg is left in this container")
    return after


def check_draw(drawn_mg: Decimal, administered_mg: Decimal, wasted_mg: Decimal) -> None:
    """What was given and what was wasted never add up to more than was drawn."""
    if administered_mg < 0 or wasted_mg < 0:
        raise LedgerError("quantity", "must not be negative")
    if administered_mg + wasted_mg > drawn_mg:
        raise LedgerError(
            "quantity",
            f"given {administered_mg} mg + wasted {wasted_mg} mg is more than the "
            f"{drawn_mg} mg drawn",
        )


def dea_number_problem(number: str) -> str | None:
    """Why a DEA registration number cannot be right, or None: two letters, seven digits, the
    last a check digit (the sum of the 1st, 3rd and 5th digits plus twice the sum of the 2nd,
    4th and 6th ends in it)."""
    if len(number) != 9 or not number[:2].isalpha() or not number[2:].isdigit():
        return "two letters and seven digits, e.g. AB1234563"
    if not number[:2].isupper():
        return "the letters are capitals"
    d = [int(c) for c in number[2:]]
    if (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 != d[6]:
        return "the check digit does not match: check the number"
    return None
