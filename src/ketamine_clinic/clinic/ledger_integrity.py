"""The ledger's own arithmetic, checked against the records: after a crash, a restore or a
bulk load, every dose given has its ledger entry and every container's balance is the sum of
its movements. A problem found here is a discrepancy to investigate, never to auto-correct:
the ledger is evidence (21 CFR 1304.21: records complete and accurate)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count

from ketamine_clinic.clinical.ledger import OUTGOING
from ketamine_clinic.inventory.models import Container, LedgerTransaction
from ketamine_clinic.treatment_sessions.models import Administration


def problems(clinic_id: Any = None) -> list[str]:
    """Every discrepancy, one sentence each; an empty list means the books hold."""
    found: list[str] = []
    containers = Container.objects.all()
    doses = Administration.objects.filter(given_mg__isnull=False, container__isnull=False)
    if clinic_id is not None:
        containers = containers.filter(clinic_id=clinic_id)
        doses = doses.filter(container__clinic_id=clinic_id)
    found += _balances(containers)
    found += _doses(doses)
    return found


def _balances(containers: Any) -> list[str]:
    net: dict[Any, Decimal] = defaultdict(Decimal)
    found = []
    rows = LedgerTransaction.objects.filter(container__in=containers).values_list(
        "pk", "container_id", "kind", "quantity_mg", "balance_before_mg", "balance_after_mg"
    )
    for pk, container_id, kind, quantity, before, after in rows:
        change = after - before
        if kind in OUTGOING:
            expected = -quantity
        elif kind == "adjust":
            expected = quantity if change > 0 else -quantity
        else:  # receive
            expected = quantity
        if change != expected or after < 0:
            found.append(f"ledger row {pk}: {kind} of {quantity} mg took {before} to {after}")
        net[container_id] += change
    for pk, label, balance in containers.values_list("pk", "label", "balance_mg"):
        if net[pk] != balance:
            found.append(
                f"container {label} ({pk}): balance {balance} mg, its movements add to {net[pk]}"
            )
    return found


def _doses(doses: Any) -> list[str]:
    booked = dict(
        LedgerTransaction.objects.filter(kind="administer", administration__in=doses)
        .values("administration_id")
        .annotate(n=Count("pk"))
        .values_list("administration_id", "n")
    )
    found = []
    for pk, given in doses.values_list("pk", "given_mg"):
        if booked.get(pk, 0) != 1:
            found.append(f"dose {pk} of {given} mg has {booked.get(pk, 0)} ledger entries, not 1")
    return found
