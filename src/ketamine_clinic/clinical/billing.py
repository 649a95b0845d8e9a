"""Billing codes for a treatment session, from what was given and the clinic's settings.

Esketamine: CMS HCPCS G2082 (an established patient's visit with up to 56 mg of esketamine
nasal self-administration under supervision, including 2 hours of observation) and G2083
(the same with more than 56 mg). The codes bundle the drug and the observation for Medicare;
other payers may want the drug billed separately (HCPCS J0013, esketamine per 1 mg, which
replaced S0013 in 2026): a clinic adds such codes itself. Racemic ketamine has no dedicated
codes: IV and IM sessions carry the clinic's own codes and fees (e.g. CPT 96365 for an IV
infusion's first hour). The software proposes; the clinic's biller decides what is claimed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ketamine_clinic.clinical.rule_error import RuleError

ESKETAMINE_THRESHOLD_MG = Decimal(56)
G2082 = ("G2082", "Visit with esketamine nasal self-administration, up to 56 mg, 2 h observation")
G2083 = ("G2083", "Visit with esketamine nasal self-administration, over 56 mg, 2 h observation")
PRODUCTS = ("iv_racemic", "im_racemic", "esketamine_nasal", "oral_racemic", "sublingual_racemic")
CODE = re.compile(r"^[A-Z0-9]{4,7}$")
MAX_FEE = Decimal(100000)


class BillingError(RuleError):
    """A billing setting the rules refuse."""


@dataclass(frozen=True)
class Line:
    code: str
    description: str
    units: Decimal
    fee: Decimal | None  # per unit; None when the clinic set no fee

    @property
    def amount(self) -> Decimal | None:
        return None if self.fee is None else (self.fee * self.units).quantize(Decimal("0.01"))


def clinic_code(spec: dict[str, Any], field: str) -> dict[str, Any]:
    """One of the clinic's codes, checked: {code, description, fee?, per_mg?}."""
    code = str(spec.get("code", "")).strip().upper()
    if not CODE.match(code):
        raise BillingError(field, "a code is 4 to 7 letters or digits, e.g. 96365 or J0013")
    description = str(spec.get("description", "")).strip()
    if not 3 <= len(description) <= 200:
        raise BillingError(field, "describe the code in 3 to 200 characters")
    fee = spec.get("fee")
    if fee is not None:
        try:
            fee = Decimal(str(fee))
        except InvalidOperation:
            raise BillingError(field, "the fee is a number, e.g. 450.00") from None
        if not fee.is_finite() or not 0 <= fee <= MAX_FEE:
            raise BillingError(field, f"the fee is between 0 and {MAX_FEE}")
    return {"code": code, "description": description,
            "fee": str(fee) if fee is not None else None,
            "per_mg": bool(spec.get("per_mg", False))}  # fmt: skip


def session_lines(product: str, given_mg: Decimal, settings: dict[str, Any]) -> list[Line]:
    """The lines of one session: the esketamine G code by dose, then the clinic's codes for
    the product (per mg given when marked so)."""
    if given_mg <= 0:
        return []  # nothing was given: no treatment to bill
    fees = settings.get("fees") or {}
    lines = []
    if product == "esketamine_nasal":
        code, description = G2082 if given_mg <= ESKETAMINE_THRESHOLD_MG else G2083
        fee = fees.get(code)
        lines.append(Line(code, description, Decimal(1), Decimal(fee) if fee else None))
    for spec in (settings.get("codes") or {}).get(product, []):
        units = given_mg if spec.get("per_mg") else Decimal(1)
        fee = Decimal(spec["fee"]) if spec.get("fee") is not None else None
        lines.append(Line(spec["code"], spec["description"], units, fee))
    return lines
