"""`check-ledger`: the demo clinic's books hold; a dose without its ledger entry, a balance
that is not the sum of its movements, and a row whose arithmetic is wrong are each found."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketamine_clinic.clinic import ledger_integrity as integrity
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.inventory.models import Container, LedgerTransaction
from ketamine_clinic.treatment_sessions.models import Administration


@pytest.mark.django_db
def test_the_demo_books_hold_and_each_kind_of_break_is_found() -> None:
    seed()
    assert integrity.problems() == []
    call_command("check_ledger")
    dose = Administration.objects.filter(given_mg__isnull=False).first()
    assert dose is not None
    lost = Administration.objects.create(  # as if the process died between dose and ledger
        session=dose.session, at=dose.at, recorded_by=dose.recorded_by, action=dose.action,
        device_number=9, container=dose.container, lot=dose.lot, drawn_mg=Decimal(28),
        given_mg=Decimal(28),
    )  # fmt: skip
    found = integrity.problems()
    assert found == [f"dose {lost.pk} of 28.00 mg has 0 ledger entries, not 1"]
    container = dose.container
    assert container is not None
    Container.objects.filter(pk=container.pk).update(balance_mg=container.balance_mg + 1)
    assert any("its movements add to" in p for p in integrity.problems())
    last = LedgerTransaction.objects.filter(container=container).order_by("recorded_at").last()
    assert last is not None
    LedgerTransaction.objects.create(
        container=container, kind="administer", event_at=last.event_at, quantity_mg=Decimal(5),
        entered_quantity="5 mg", balance_before_mg=Decimal(10), balance_after_mg=Decimal(8),
        performer=last.performer,
    )  # fmt: skip
    assert any("administer of 5.00 mg took 10.00 to 8.00" in p for p in integrity.problems())
    with pytest.raises(CommandError, match="ledger discrepancies"):
        call_command("check_ledger", "--clinic", container.clinic.name)
