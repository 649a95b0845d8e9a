"""Doses given at the chair: each checked against the signed order and the protocol, drawn
and given amounts reconciled, and the infusion pump's running total."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.assessments import outcome_summary
from ketamine_clinic.clinical import chair
from ketamine_clinic.clinical.protocols import ESKETAMINE_DEVICE_MG
from ketamine_clinic.clinical.session_flow import State
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.queries import require_treatment_gate
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.treatment_sessions import facts
from ketamine_clinic.treatment_sessions.actions.core import (
    MIN_REASON,
    bump,
    clinical_write,
    new_entry,
    step,
)
from ketamine_clinic.treatment_sessions.actions.ledger import (
    CENTI,
    DRAWS,
    book_dose,
    container_fields,
)
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    TreatmentSession,
)


def administer(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    action: str,
    values: dict[str, Any],
    at: datetime | None = None,
) -> Administration:
    """A dose given against the signed order: esketamine device by device 5 minutes apart,
    an infusion started, paused, resumed, re-rated and stopped, or an injection. The last
    device, the infusion's stop or the injection moves the session to monitoring."""
    clinical_write(access, session, {State.CHECKS_PASSED, State.DOSING})
    if action not in Administration.Action.values:
        raise InvalidInput("action", f"must be one of {', '.join(Administration.Action.values)}")
    given = facts.current(Administration, session)
    now = at or timezone.now()
    plan = _dose_plan(session, action, given, values, now)
    first = State(session.state) == State.CHECKS_PASSED
    if first:  # the gate is checked again at the first dose: consent may have been withdrawn
        require_treatment_gate(session.patient, session.product, timezone.localdate())
    with transaction.atomic():
        fresh = step(actor, session, version, State.DOSING) if first else bump(session, version)
        entry = new_entry(actor, fresh, Administration, {"action": action, **plan}, at, None, "")
        book_dose(actor, access, fresh, entry)
        if first:  # outcomes count from the first dose at the chair
            outcome_summary.refresh(access.patient)
        if _dosing_complete(fresh, action, plan):
            step(actor, fresh, fresh.version, State.MONITORING)
        record_patient_access(actor, access, "create", f"treatment_session.dose.{action}")
    return entry


def _dose_plan(
    session: TreatmentSession, action: str, given: Any, values: dict[str, Any], now: datetime
) -> dict[str, Any]:
    order = session.order
    ordered_mg = Decimal(str(order.calculation.get("dose_mg") or order.dose_mg or 0))
    route = session.route
    allowed = {
        "intranasal": {Administration.Action.DEVICE},
        "iv": {
            Administration.Action.IV_START,
            Administration.Action.IV_PAUSE,
            Administration.Action.IV_RESUME,
            Administration.Action.IV_RATE,
            Administration.Action.IV_STOP,
        },
        "im": {Administration.Action.IM_INJECTION},
        "oral": {Administration.Action.ORAL},
        "sublingual": {Administration.Action.ORAL},
    }[route]
    if action not in allowed:
        raise InvalidInput("action", f"not for this route; use {', '.join(sorted(allowed))}")
    plan: dict[str, Any] = {"note": values.get("note", "")}
    if action in DRAWS:
        plan |= container_fields(session, values.get("container"))
    if action == Administration.Action.DEVICE:
        devices = list(given.filter(action=action))
        count = len(devices) + 1
        planned = int(ordered_mg) // ESKETAMINE_DEVICE_MG
        if count > planned:
            raise Conflict(f"the order is {ordered_mg} mg: all {planned} devices are given")
        if devices:
            previous = devices[-1].at
            wait = chair.device_wait_s(0, (now - previous).total_seconds() / 60)
            if wait:
                raise Conflict(
                    f"5 minutes between devices: wait {wait // 60} min {wait % 60:02d} s more"
                )
        plan |= {"device_number": count, "given_mg": Decimal(ESKETAMINE_DEVICE_MG)}
        return plan
    if action == Administration.Action.IV_START:
        if given.filter(action=action).exists():
            raise Conflict("the infusion has started already")
        if not order.calculation.get("final_volume_ml"):
            raise Conflict(
                "the order says nothing of how the infusion is made up (product, diluent, "
                "final volume): a prescriber writes a new order"
            )
        rate = values.get("rate_ml_per_h") or order.calculation.get("rate_ml_per_h")
        return plan | _drawn(values, ordered_mg) | {"rate_ml_per_h": Decimal(str(rate))}
    if action in (Administration.Action.IV_PAUSE, Administration.Action.IV_RESUME):
        last = given.exclude(action=Administration.Action.IV_RATE).last()
        running = last is not None and last.action in (
            Administration.Action.IV_START,
            Administration.Action.IV_RESUME,
        )
        if action == Administration.Action.IV_PAUSE and not running:
            raise Conflict("the infusion is not running")
        if action == Administration.Action.IV_RESUME and (
            last is None or last.action != Administration.Action.IV_PAUSE
        ):
            raise Conflict("the infusion is not paused")
        return plan
    if action == Administration.Action.IV_RATE:
        rate = values.get("rate_ml_per_h")
        if rate is None or Decimal(str(rate)) <= 0:
            raise InvalidInput("rate_ml_per_h", "give the new pump rate")
        if not given.filter(action=Administration.Action.IV_START).exists():
            raise Conflict("the infusion has not started")
        return plan | {"rate_ml_per_h": Decimal(str(rate))}
    if action == Administration.Action.IV_STOP:
        start = given.filter(action=Administration.Action.IV_START).first()
        if start is None:
            raise Conflict("the infusion has not started")
        container = {"container": start.container, "lot": start.lot}
        amounts = _given(values, ordered_mg, given)
        pumped = facts.pump_mg(session, given, now)
        explained = len(str(values.get("note", "")).strip()) >= MIN_REASON
        if (
            pumped is not None
            and chair.infused_mismatch(amounts["given_mg"], pumped, ordered_mg)
            and not explained
        ):
            raise InvalidInput(
                "given_mg",
                f"the pump's rate x time gives {pumped} mg infused, not "
                f"{amounts['given_mg']} mg: record that, or say in the note why "
                f"({MIN_REASON} characters or more, e.g. the pump's volume infused)",
            )
        return plan | container | amounts
    # An injection or an oral dose: drawn, given and left over in one entry.
    return plan | _drawn(values, ordered_mg) | _given(values, ordered_mg, given)


def _drawn(values: dict[str, Any], ordered_mg: Decimal) -> dict[str, Any]:
    drawn = values.get("drawn_mg")
    if drawn is None:
        raise InvalidInput("drawn_mg", "record how much was drawn up")
    drawn = Decimal(str(drawn)).quantize(CENTI)
    if drawn < ordered_mg:
        raise InvalidInput("drawn_mg", f"less than the ordered {ordered_mg} mg")
    return {"drawn_mg": drawn}


def _given(values: dict[str, Any], ordered_mg: Decimal, given: Any) -> dict[str, Any]:
    """Given plus left over must add up to what was drawn; more than the order is refused."""
    if values.get("given_mg") is None:
        raise InvalidInput("given_mg", "record how much was given")
    amount = Decimal(str(values["given_mg"])).quantize(CENTI)
    if amount < 0:
        raise InvalidInput("given_mg", "must not be negative")
    if amount > ordered_mg:
        raise InvalidInput("given_mg", f"more than the ordered {ordered_mg} mg")
    drawn = values.get("drawn_mg")
    if drawn is None:
        start = given.filter(drawn_mg__isnull=False).first()
        drawn = start.drawn_mg if start else None
    if drawn is None:
        raise InvalidInput("drawn_mg", "record how much was drawn up")
    waste = Decimal(str(drawn)).quantize(CENTI) - amount
    if values.get("waste_mg") is not None and Decimal(str(values["waste_mg"])) != waste:
        raise InvalidInput(
            "waste_mg",
            f"drawn {drawn} mg - given {amount} mg leaves {waste} mg, not the amount given",
        )
    return {"given_mg": amount, "waste_mg": waste}


def _dosing_complete(session: TreatmentSession, action: str, plan: dict[str, Any]) -> bool:
    if action == Administration.Action.DEVICE:
        ordered = int(Decimal(str(session.order.calculation.get("dose_mg") or 0)))
        return plan["device_number"] * ESKETAMINE_DEVICE_MG >= ordered
    return action in (
        Administration.Action.IV_STOP,
        Administration.Action.IM_INJECTION,
        Administration.Action.ORAL,
    )
