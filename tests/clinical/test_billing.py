"""Billing codes at their boundaries: the esketamine G code by dose, the clinic's own codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketamine_clinic.clinical.billing import BillingError, clinic_code, session_lines

SETTINGS = {
    "fees": {"G2082": "900.00", "G2083": "1100.00"},
    "codes": {
        "iv_racemic": [{"code": "96365", "description": "IV infusion, first hour",
                        "fee": "450.00", "per_mg": False}],
        "esketamine_nasal": [{"code": "J0013", "description": "Esketamine, 1 mg",
                              "fee": "8.50", "per_mg": True}],
    },
}  # fmt: skip


@pytest.mark.parametrize(("mg", "code"), [("28", "G2082"), ("56", "G2082"), ("56.01", "G2083"),
                                          ("84", "G2083")])  # fmt: skip
def test_esketamine_by_dose(mg: str, code: str) -> None:
    lines = session_lines("esketamine_nasal", Decimal(mg), SETTINGS)
    assert lines[0].code == code
    assert lines[1].code == "J0013"
    assert lines[1].units == Decimal(mg)
    assert lines[1].amount == (Decimal("8.50") * Decimal(mg)).quantize(Decimal("0.01"))


def test_racemic_uses_the_clinics_codes_and_nothing_given_is_not_billed() -> None:
    lines = session_lines("iv_racemic", Decimal(35), SETTINGS)
    assert [(line.code, line.amount) for line in lines] == [("96365", Decimal("450.00"))]
    assert session_lines("im_racemic", Decimal(35), SETTINGS) == []
    assert session_lines("esketamine_nasal", Decimal(0), SETTINGS) == []
    assert session_lines("esketamine_nasal", Decimal(56), {})[0].fee is None


@pytest.mark.parametrize(
    ("spec", "problem"),
    [({"code": "9", "description": "x" * 5}, "4 to 7"),
     ({"code": "96365", "description": "x"}, "3 to 200"),
     ({"code": "96365", "description": "IV first hour", "fee": "lots"}, "a number"),
     ({"code": "96365", "description": "IV first hour", "fee": "-1"}, "between 0")],
)  # fmt: skip
def test_bad_codes_are_refused(spec: dict[str, str], problem: str) -> None:
    with pytest.raises(BillingError, match=problem):
        clinic_code(spec, "billing")
    assert clinic_code({"code": "j0013", "description": "Esketamine, 1 mg", "fee": "8.5",
                        "per_mg": True}, "b")["code"] == "J0013"  # fmt: skip
