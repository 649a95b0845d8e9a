"""The ledger's rules at their boundaries, and any sequence of movements keeping the books."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.ledger import (
    KINDS,
    LedgerError,
    Movement,
    book,
    check_draw,
    dea_number_problem,
    to_mg,
)

TODAY = date(2026, 11, 20)
GIVE = Movement(
    kind="administer",
    quantity_mg=Decimal("35"),
    performer="sam",
    performer_role="nurse",
    event_on=TODAY,
    expires_on=date(2027, 6, 30),
)


def refused(balance: str, movement: Movement, field: str) -> str:
    with pytest.raises(LedgerError) as caught:
        book(Decimal(balance), movement)
    assert caught.value.field == field
    return caught.value.message


def test_receive_give_and_the_last_milligram() -> None:
    received = book(Decimal(0), replace(GIVE, kind="receive", quantity_mg=Decimal(500)))
    assert received == Decimal(500)
    assert book(Decimal("35.00"), GIVE) == Decimal(0)
    assert "only 34.99 mg is left" in refused("34.99", GIVE, "quantity")


@pytest.mark.parametrize("quantity", ["0", "-1", "NaN"])
def test_quantities_above_zero(quantity: str) -> None:
    refused("100", replace(GIVE, quantity_mg=Decimal(quantity)), "quantity")


def test_not_from_an_expired_container() -> None:
    assert book(Decimal(100), replace(GIVE, expires_on=TODAY)) == Decimal(65)  # its last day
    assert "expired on 19 Nov 2026" in refused(
        "100", replace(GIVE, expires_on=date(2026, 11, 19)), "container"
    )


def test_only_licensed_staff_administer() -> None:
    refused("100", replace(GIVE, performer_role="front_desk"), "performer")


WASTE = replace(GIVE, kind="waste", quantity_mg=Decimal(15), witness="alex", witness_role="nurse")


def test_waste_needs_a_second_licensed_witness() -> None:
    assert book(Decimal(15), WASTE) == Decimal(0)
    assert "witnessed" in refused("15", replace(WASTE, witness=None), "witness")
    assert "someone other" in refused("15", replace(WASTE, witness="sam"), "witness")
    assert "nurse or prescriber" in refused("15", replace(WASTE, witness_role="admin"), "witness")


def test_adjustments_need_authority_and_a_reason() -> None:
    adjust = replace(
        GIVE, kind="adjust", performer_role="admin", reason="count found 2 mg more", increase=True
    )
    assert book(Decimal(10), replace(adjust, quantity_mg=Decimal(2))) == Decimal(12)
    refused("10", replace(adjust, performer_role="nurse"), "performer")
    refused("10", replace(adjust, reason="oops"), "reason")


def test_destruction_and_loss_need_their_paperwork() -> None:
    refused("50", replace(GIVE, kind="destroy"), "reference")
    assert book(Decimal(50), replace(GIVE, kind="destroy", reference="RD-2026-114")) == 15
    refused("50", replace(GIVE, kind="loss"), "reason")


@pytest.mark.parametrize(
    ("quantity", "unit", "substance", "concentration", "mg"),
    [
        ("3.5", "mL", "ketamine", "10", "35.00"),
        ("35", "mg", "ketamine", "10", "35.00"),
        ("2", "device", "esketamine", None, "56.00"),
    ],
)
def test_units(
    quantity: str, unit: str, substance: str, concentration: str | None, mg: str
) -> None:
    result = to_mg(
        Decimal(quantity),
        unit,
        substance=substance,
        concentration_mg_per_ml=Decimal(concentration) if concentration else None,
    )
    assert result == Decimal(mg)


@pytest.mark.parametrize(
    ("quantity", "unit", "substance", "concentration", "field"),
    [
        ("1", "device", "ketamine", "10", "unit"),
        ("1", "mL", "esketamine", None, "unit"),
        ("1.5", "device", "esketamine", None, "quantity"),
        ("1", "g", "ketamine", "10", "unit"),
        ("0.001", "mg", "ketamine", "10", "quantity"),
        ("0", "mg", "ketamine", "10", "quantity"),
    ],
)
def test_units_that_do_not_fit_the_product(
    quantity: str, unit: str, substance: str, concentration: str | None, field: str
) -> None:
    with pytest.raises(LedgerError) as caught:
        to_mg(
            Decimal(quantity),
            unit,
            substance=substance,
            concentration_mg_per_ml=Decimal(concentration) if concentration else None,
        )
    assert caught.value.field == field


def test_given_and_wasted_never_exceed_what_was_drawn() -> None:
    check_draw(Decimal(50), Decimal(35), Decimal(15))
    with pytest.raises(LedgerError, match="more than the 50 mg drawn"):
        check_draw(Decimal(50), Decimal(35), Decimal("15.01"))


movements = st.builds(
    Movement,
    kind=st.sampled_from(KINDS),
    quantity_mg=st.decimals("0.01", "600", places=2),
    performer=st.sampled_from(["sam", "alex"]),
    performer_role=st.sampled_from(["nurse", "prescriber", "admin", "front_desk"]),
    event_on=st.just(TODAY),
    expires_on=st.sampled_from([TODAY, date(2026, 1, 1)]),
    witness=st.sampled_from([None, "sam", "alex"]),
    witness_role=st.sampled_from([None, "nurse", "admin"]),
    reason=st.sampled_from(["", "count correction after audit"]),
    reference=st.sampled_from(["", "RD-1"]),
    increase=st.booleans(),
)


@given(st.lists(movements, max_size=40))
def test_any_sequence_keeps_the_books_exact(sequence: list[Movement]) -> None:
    """Each movement is booked exactly or refused, and no balance ever goes below zero."""
    balance = Decimal(0)
    received = taken = Decimal(0)
    for movement in sequence:
        try:
            after = book(balance, movement)
        except LedgerError:
            continue
        assert after >= 0
        assert abs(after - balance) == movement.quantity_mg
        if after > balance:
            received += movement.quantity_mg
        else:
            taken += movement.quantity_mg
        balance = after
    assert balance == received - taken


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("AB1234563", True),
        ("RC1234563", True),
        ("AB1234564", False),
        ("ab1234563", False),
        ("A12345634", False),
        ("AB123456", False),
    ],
)
def test_dea_numbers(number: str, ok: bool) -> None:
    assert (dea_number_problem(number) is None) == ok
