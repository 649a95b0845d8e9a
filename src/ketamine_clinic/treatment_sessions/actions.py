"""Every write at the chair: open the session, step it through its states, record checks,
vitals, doses, observations and adverse events, discharge or abort.

Each action takes the session `version` the nurse's screen showed, and bumps it in the same
transaction as its entry, so two nurses writing at once get a conflict (HTTP 409).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.assessments import outcome_summary
from ketamine_clinic.assessments.actions import create_link
from ketamine_clinic.assessments.catalogue import get_instrument
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.clinical import chair, pre_dose, rems_form, session_flow
from ketamine_clinic.clinical.ledger import Movement
from ketamine_clinic.clinical.outcomes import FOLLOW_UP_LINKS
from ketamine_clinic.clinical.protocols import ESKETAMINE_DEVICE_MG
from ketamine_clinic.clinical.session_flow import State
from ketamine_clinic.clinical.vital_signs import Reading, alerts, implausible
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.consent import require_treatment_gate
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container, LedgerTransaction
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.records.versioning import claim, save_changes, sign_once
from ketamine_clinic.treatment import service
from ketamine_clinic.treatment.models import Course, ScheduledSession
from ketamine_clinic.treatment_sessions import billing, facts, rems
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    Entry,
    Observation,
    PreDoseCheck,
    Transition,
    TreatmentSession,
    VitalSigns,
)

E = TypeVar("E", bound=Entry)
MIN_REASON = 10
CENTI = Decimal("0.01")  # amounts in mg to two places, as the ledger books them
TIMESTAMP = {
    State.CHECKED_IN: "checked_in_at",
    State.CHECKS_PASSED: "checks_passed_at",
    State.DOSING: "dosing_started_at",
    State.MONITORING: "monitoring_started_at",
    State.READY: "ready_at",
    State.DISCHARGED: "discharged_at",
    State.ABORTED: "aborted_at",
}
ROUTES = {
    "iv_racemic": "iv",
    "im_racemic": "im",
    "esketamine_nasal": "intranasal",
    "oral_racemic": "oral",
    "sublingual_racemic": "sublingual",
}


def _need(access: PatientAccess, capability: Capability, what: str) -> None:
    if not can(access.role, capability):
        raise PermissionDenied(f"your role does not {what}")


def open_session(
    actor: Actor, access: PatientAccess, scheduled: ScheduledSession
) -> TreatmentSession:
    """Today's session for a planned dosing day of an active course, under its signed order."""
    _need(access, Capability.MANAGE_SCHEDULE, "open treatment sessions")
    course = scheduled.course
    if not scheduled.is_dosing or scheduled.state != ScheduledSession.State.PLANNED:
        raise Conflict("only a planned dosing session can be opened")
    if course.state != Course.State.ACTIVE:
        raise Conflict("the course is not active: its order is not signed")
    if scheduled.on != timezone.localdate():
        raise Conflict(f"this session is planned for {scheduled.on.isoformat()}, not today")
    if TreatmentSession.objects.filter(scheduled=scheduled).exists():
        raise Conflict("this session is already open")
    order = service.signed_order(course)
    if order is None:  # an active course always has one; refuse rather than guess
        raise Conflict("no signed order on this course")
    with transaction.atomic():
        session = TreatmentSession(
            patient=access.patient,
            course=course,
            scheduled=scheduled,
            order=order,
            product=course.product,
            route=ROUTES[course.product],
            on=scheduled.on,
            created_by=actor.user,
        )
        session.attribute_to(actor.user)
        session.save(force_insert=True)
        record_patient_access(actor, access, "create", "treatment_session")
    return session


def _step(
    actor: Actor,
    session: TreatmentSession,
    version: int,
    target: State,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> TreatmentSession:
    """Move to `target` if the state machine allows it and nobody wrote in between."""
    try:
        session_flow.check(session.state, target)
    except session_flow.TransitionError as exc:
        raise Conflict(str(exc)) from None
    now = timezone.now()
    fresh = save_changes(
        session, version, {"state": target, TIMESTAMP[target]: now, **(changes or {})}, actor
    )
    Transition.objects.create(
        session=session, from_state=session.state, to_state=target, at=now, by=actor.user, note=note
    )
    return fresh


def _bump(session: TreatmentSession, version: int) -> TreatmentSession:
    """Claim the session for an entry written with it: a stale version is a conflict. Nothing
    of the session itself changes, so it gets no history row; the entry is the record."""
    fresh = claim(session, version)
    return fresh


def _entry(
    actor: Actor,
    session: TreatmentSession,
    model: type[E],
    values: dict[str, Any],
    at: datetime | None,
    corrects: E | None,
    correction_reason: str,
) -> E:
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=1):
        raise InvalidInput("at", "must not be in the future")
    if session.checked_in_at and at < session.checked_in_at - timedelta(hours=12):
        raise InvalidInput("at", "is long before the session began")
    if corrects is not None:
        if corrects.session_id != session.pk:
            raise InvalidInput("corrects", "is not an entry of this session")
        if model._default_manager.filter(corrects=corrects).exists():
            raise Conflict("that entry has been corrected already: correct the newest one")
        if len(correction_reason.strip()) < 3:
            raise InvalidInput("correction_reason", "say what was wrong")
    entry = model(
        session=session,
        at=at,
        recorded_by=actor.user,
        corrects=corrects,
        correction_reason=correction_reason.strip(),
        **values,
    )
    entry.save(force_insert=True)
    return entry


def _record(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    model: type[E],
    values: dict[str, Any],
    *,
    at: datetime | None,
    corrects: E | None,
    correction_reason: str,
    what: str,
) -> E:
    """One entry, in one transaction with the session's version bump and the audit row."""
    with transaction.atomic():
        _bump(session, version)
        entry = _entry(actor, session, model, values, at, corrects, correction_reason)
        record_patient_access(actor, access, "create", f"treatment_session.{what}")
    return entry


def _clinical_write(access: PatientAccess, session: TreatmentSession, states: set[State]) -> None:
    _need(access, Capability.EDIT_CLINICAL, "record at the chair")
    if State(session.state) not in states:
        raise Conflict(f"not while the session is {State(session.state).label.lower()}")


BEFORE_DISCHARGE = {
    State.CHECKED_IN,
    State.CHECKS_PASSED,
    State.DOSING,
    State.MONITORING,
    State.READY,
}


def check_in(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int
) -> TreatmentSession:
    _need(access, Capability.MANAGE_SCHEDULE, "check patients in")
    with transaction.atomic():
        fresh = _step(actor, session, version, State.CHECKED_IN)
        record_patient_access(actor, access, "update", "treatment_session.check_in")
    return fresh


def record_checks(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    values: dict[str, Any],
    corrects: PreDoseCheck | None = None,
    correction_reason: str = "",
) -> PreDoseCheck:
    """The pre-dose checklist; the pre-dose PHQ-9 taken today is linked to it."""
    _clinical_write(access, session, {State.CHECKED_IN})
    phq9 = (
        Assessment.objects.filter(
            patient=session.patient,
            instrument_id="phq9",
            context="pre_dose",
            status=RecordStatus.ACTIVE,
            administered_at__date=timezone.localdate(),
        )
        .order_by("-administered_at")
        .first()
    )
    return _record(
        actor,
        access,
        session,
        version,
        PreDoseCheck,
        {**values, "pre_dose_assessment": phq9},
        at=None,
        corrects=corrects,
        correction_reason=correction_reason,
        what="checks",
    )


def record_vitals(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    reading: Reading,
    at: datetime | None = None,
    corrects: VitalSigns | None = None,
    correction_reason: str = "",
) -> VitalSigns:
    """One set of readings; anything past the clinic's thresholds is returned as alerts."""
    _clinical_write(access, session, BEFORE_DISCHARGE)
    problem = implausible(reading)
    if problem:
        raise InvalidInput(*problem)
    state = State(session.state)
    timing = (
        VitalSigns.Timing.PRE_DOSE
        if state in (State.CHECKED_IN, State.CHECKS_PASSED)
        else VitalSigns.Timing.PRE_DISCHARGE
        if state == State.READY
        else VitalSigns.Timing.MONITORING
    )
    found = alerts(reading, facts.limits(session))
    return _record(
        actor,
        access,
        session,
        version,
        VitalSigns,
        {**vars(reading), "timing": timing, "alerts": found},
        at=at,
        corrects=corrects,
        correction_reason=correction_reason,
        what="vitals",
    )


def pass_checks(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    override_reason: str = "",
) -> TreatmentSession:
    """Checks passed: the treatment gate, then the chair checks; what may be overridden needs a
    prescriber's written reason, what may not blocks dosing today."""
    _clinical_write(access, session, {State.CHECKED_IN})
    require_treatment_gate(session.patient, session.product, timezone.localdate())
    verdict = pre_dose.check(facts.chair_checks(session), facts.limits(session))
    if verdict.blocking:
        raise Conflict("cannot dose: " + "; ".join(verdict.blocking))
    changes: dict[str, Any] = {}
    if verdict.overridable:
        if not can(access.role, Capability.ORDER_TREATMENT):
            raise Conflict(
                "a prescriber must override before dosing: " + "; ".join(verdict.overridable)
            )
        if len(override_reason.strip()) < MIN_REASON:
            raise InvalidInput(
                "override_reason",
                f"needed for: {'; '.join(verdict.overridable)} ({MIN_REASON} characters or more)",
            )
        changes = {"bp_override_reason": override_reason.strip(), "bp_override_by": actor.user}
    with transaction.atomic():
        fresh = _step(actor, session, version, State.CHECKS_PASSED, changes, override_reason)
        record_patient_access(actor, access, "update", "treatment_session.checks_passed")
    return fresh


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
    _clinical_write(access, session, {State.CHECKS_PASSED, State.DOSING})
    if action not in Administration.Action.values:
        raise InvalidInput("action", f"must be one of {', '.join(Administration.Action.values)}")
    given = facts.current(Administration, session)
    now = at or timezone.now()
    plan = _dose_plan(session, action, given, values, now)
    first = State(session.state) == State.CHECKS_PASSED
    if first:  # the gate is checked again at the first dose: consent may have been withdrawn
        require_treatment_gate(session.patient, session.product, timezone.localdate())
    with transaction.atomic():
        fresh = _step(actor, session, version, State.DOSING) if first else _bump(session, version)
        entry = _entry(actor, fresh, Administration, {"action": action, **plan}, at, None, "")
        _book_dose(actor, access, fresh, entry)
        if first:  # outcomes count from the first dose at the chair
            outcome_summary.refresh(access.patient)
        if _dosing_complete(fresh, action, plan):
            _step(actor, fresh, fresh.version, State.MONITORING)
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
        plan |= _container(session, values.get("container"))
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
        pumped = pump_mg(session, given, now)
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


def pump_mg(session: TreatmentSession, given: Any, now: datetime) -> Decimal | None:
    """What the pump has infused so far, from the entries' rates and times and the bag's
    concentration; None when the order does not say how the bag was made up."""
    calculation = session.order.calculation
    bag = calculation.get("final_mg_per_ml")
    start = given.filter(action=Administration.Action.IV_START).first()
    if not bag or start is None:
        return None

    def minute(at: datetime) -> Decimal:
        return Decimal(str(facts.minutes_since(start.at, at)))

    events = [
        chair.PumpEvent(e.action, minute(e.at), e.rate_ml_per_h)
        for e in given
        if e.action.startswith("iv_")
    ]
    until = minute(now)
    return chair.infused_mg(
        events, until, Decimal(str(bag)), Decimal(str(calculation.get("dose_mg") or 0))
    )


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


# The doses that take drug out of a container: the chair names the container for each.
DRAWS = frozenset(
    {
        Administration.Action.DEVICE,
        Administration.Action.IV_START,
        Administration.Action.IM_INJECTION,
        Administration.Action.ORAL,
    }
)
SUBSTANCE = {"esketamine_nasal": "esketamine"}  # every other product is racemic ketamine


def session_container(session: TreatmentSession, container_id: Any) -> Container:
    """A container of the session's clinic, by id (the API and the chair screen)."""
    found = (
        Container.objects.select_related("product")
        .filter(pk=container_id, clinic_id=session.patient.clinic_id)
        .first()
    )
    if found is None:
        raise InvalidInput("container", "no such container in this clinic")
    return found


def _container(session: TreatmentSession, container: Container | None) -> dict[str, Any]:
    """The container a dose is drawn from: this clinic's, of the ordered substance."""
    if container is None:
        raise InvalidInput("container", "choose the container the dose is drawn from")
    substance = SUBSTANCE.get(session.product, "ketamine")
    if container.clinic_id != session.patient.clinic_id:
        raise InvalidInput("container", "no such container in this clinic")
    if container.product.substance != substance:
        raise InvalidInput("container", f"this container is not {substance}")
    ordered = session.order.concentration_mg_per_ml
    found = container.product.concentration_mg_per_ml
    if ordered is not None and found is not None and found != ordered:
        raise InvalidInput(
            "container",
            f"this vial is {found.normalize():f} mg/mL but the order was calculated for "
            f"{ordered.normalize():f} mg/mL: draw from the ordered product, or a prescriber "
            "writes a new order",
        )
    return {"container": container, "lot": container.lot}


def _book_dose(
    actor: Actor, access: PatientAccess, session: TreatmentSession, entry: Administration
) -> None:
    """The ledger's administer transaction for a dose given, in the dose's own transaction:
    neither exists without the other."""
    if entry.given_mg is None or entry.container is None:
        return  # an infusion's start, pause or rate: booked at the stop
    container = entry.container
    ledger.move(
        actor,
        str(access.role),
        container,
        Movement(
            kind="administer",
            quantity_mg=entry.given_mg,
            performer=str(actor.user.pk),
            performer_role=str(access.role),
            event_on=timezone.localtime(entry.at).date(),
            expires_on=container.expires_on,
        ),
        event_at=entry.at,
        entered=f"{entry.given_mg} mg",
        links={
            "patient": session.patient,
            "session": session,
            "order": session.order,
            "administration": entry,
        },
    )


def waste_pending_mg(session: TreatmentSession) -> Decimal:
    """What was drawn and not given, not yet wasted before a witness."""
    left = sum(
        (d.waste_mg for d in facts.current(Administration, session) if d.waste_mg),
        start=Decimal(0),
    )
    wasted = LedgerTransaction.objects.filter(session=session, kind="waste").aggregate(
        total=Sum("quantity_mg")
    )["total"] or Decimal(0)
    return left - wasted


def witness_waste(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    witness: User,
    witness_role: str | None,
) -> Any:
    """The left-over drug wasted before a second licensed person, booked in the ledger."""
    _need(access, Capability.RECORD_LEDGER, "waste controlled substances")
    pending = waste_pending_mg(session)
    if pending <= 0:
        raise Conflict("nothing is waiting to be wasted")
    source = (
        facts.current(Administration, session)
        .filter(waste_mg__gt=0, container__isnull=False)
        .last()
    )
    if source is None or source.container is None:
        raise Conflict("the left-over dose has no container to book it against")
    with transaction.atomic():
        _bump(session, version)
        row = ledger.move(
            actor,
            str(access.role),
            source.container,
            Movement(
                kind="waste",
                quantity_mg=pending,
                performer=str(actor.user.pk),
                performer_role=str(access.role),
                event_on=timezone.localdate(),
                expires_on=source.container.expires_on,
                witness=str(witness.pk),
                witness_role=witness_role,
            ),
            event_at=timezone.now(),
            entered=f"{pending} mg",
            witness=witness,
            links={"patient": session.patient, "session": session, "order": session.order},
        )
        record_patient_access(actor, access, "create", "treatment_session.waste")
    return row


def _dosing_complete(session: TreatmentSession, action: str, plan: dict[str, Any]) -> bool:
    if action == Administration.Action.DEVICE:
        ordered = int(Decimal(str(session.order.calculation.get("dose_mg") or 0)))
        return plan["device_number"] * ESKETAMINE_DEVICE_MG >= ordered
    return action in (
        Administration.Action.IV_STOP,
        Administration.Action.IM_INJECTION,
        Administration.Action.ORAL,
    )


def record_observation(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    scale: str,
    score: int,
    note: str = "",
    at: datetime | None = None,
    corrects: Observation | None = None,
    correction_reason: str = "",
) -> Observation:
    """MOAA/S (0-5), CADSS (0-92, 23 items scored 0-4) or BPRS+ (4 positive-symptom items
    scored 1-7: 4-28)."""
    _clinical_write(access, session, BEFORE_DISCHARGE)
    ranges = chair.observation_ranges()
    low, high = ranges.get(scale, (None, None))
    if low is None or high is None:
        raise InvalidInput("scale", f"must be one of {', '.join(ranges)}")
    if not low <= score <= high:
        raise InvalidInput("score", f"{scale} runs from {low} to {high}")
    return _record(
        actor,
        access,
        session,
        version,
        Observation,
        {"scale": scale, "score": score, "note": note},
        at=at,
        corrects=corrects,
        correction_reason=correction_reason,
        what=scale,
    )


def record_adverse_event(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    values: dict[str, Any],
    at: datetime | None = None,
    corrects: AdverseEvent | None = None,
    correction_reason: str = "",
) -> AdverseEvent:
    """An adverse event, or a new version of one (its resolution, a change of severity)."""
    _clinical_write(access, session, BEFORE_DISCHARGE)
    resolved = values.get("resolved_at")
    if resolved is not None and resolved > timezone.now() + timedelta(minutes=1):
        raise InvalidInput("resolved_at", "must not be in the future")
    return _record(
        actor,
        access,
        session,
        version,
        AdverseEvent,
        values,
        at=at,
        corrects=corrects,
        correction_reason=correction_reason or ("updated" if corrects else ""),
        what="adverse_event",
    )


def mark_ready(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    responsible_adult: str,
    ready_without_rule_min: int | None,
    vitals_override_reason: str = "",
) -> TreatmentSession:
    """Every discharge criterion met, and the REMS question answered for esketamine. Vitals
    out of range hold the patient unless a prescriber decides otherwise with a reason."""
    _clinical_write(access, session, {State.MONITORING})
    reason = vitals_override_reason.strip()
    if reason and not can(access.role, Capability.ORDER_TREATMENT):
        raise PermissionDenied("only a prescriber lets a patient go with vitals out of range")
    if reason and len(reason) < MIN_REASON:
        raise InvalidInput("vitals_override_reason", f"{MIN_REASON} characters or more")
    found = facts.discharge_facts(session, bool(responsible_adult.strip()))
    problems = chair.discharge_problems(
        replace(found, vitals_override=bool(reason)), facts.limits(session)
    )
    if problems:
        raise Conflict("not ready: " + "; ".join(problems))
    override = (
        {"discharge_override_reason": reason, "discharge_override_by": actor.user}
        if reason and chair.discharge_problems(found, facts.limits(session))
        else {}
    )
    if session.product == "esketamine_nasal" and ready_without_rule_min is None:
        raise InvalidInput(
            "ready_without_rule_min",
            "REMS asks when the patient would have been ready without the 2-hour minimum",
        )
    with transaction.atomic():
        fresh = _step(
            actor,
            session,
            version,
            State.READY,
            {
                "responsible_adult": responsible_adult.strip(),
                "ready_without_rule_min": ready_without_rule_min,
                **override,
            },
        )
        record_patient_access(actor, access, "update", "treatment_session.ready")
    return fresh


def discharge(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int, note: str = ""
) -> TreatmentSession:
    """The patient leaves; the planned day is done, and anything poorly tolerated is noted on
    it for titration."""
    _clinical_write(access, session, {State.READY})
    with transaction.atomic():
        fresh = _step(actor, session, version, State.DISCHARGED, {"discharge_note": note}, note)
        scheduled = session.scheduled
        if scheduled is not None and scheduled.state == ScheduledSession.State.PLANNED:
            save_changes(
                scheduled,
                scheduled.version,
                {
                    "state": ScheduledSession.State.DONE,
                    "note": "treatment session discharged",
                    "poorly_tolerated": facts.poorly_tolerated(session),
                },
                actor,
            )
        record_patient_access(actor, access, "update", "treatment_session.discharge")
    return fresh


def abort(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int, reason: str
) -> TreatmentSession:
    """Before the first dose only: the day is cancelled with the reason."""
    _need(access, Capability.MANAGE_SCHEDULE, "abort sessions")
    if len(reason.strip()) < 3:
        raise InvalidInput("reason", "say why the session is aborted")
    with transaction.atomic():
        fresh = _step(actor, session, version, State.ABORTED, {"abort_reason": reason}, reason)
        scheduled = session.scheduled
        if scheduled is not None and scheduled.state == ScheduledSession.State.PLANNED:
            save_changes(
                scheduled,
                scheduled.version,
                {"state": ScheduledSession.State.CANCELLED, "note": f"aborted: {reason}"[:1000]},
                actor,
            )
        record_patient_access(actor, access, "update", "treatment_session.abort")
    return fresh


def rems_gaps(session: TreatmentSession) -> list[str]:
    """What the REMS monitoring form still lacks (esketamine sessions that were dosed)."""
    if session.product != "esketamine_nasal" or session.dosing_started_at is None:
        return []
    return rems_form.missing(rems.build(session))


def sign_record(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int
) -> TreatmentSession:
    """Sign the session record once the patient has left (or the session was aborted); for
    esketamine, not before the REMS monitoring form has every required field."""
    _need(access, Capability.EDIT_CLINICAL, "sign session records")
    if State(session.state) not in (State.DISCHARGED, State.ABORTED):
        raise Conflict("the record is signed after discharge (or abort)")
    pending = waste_pending_mg(session)
    if pending > 0:
        raise Conflict(f"{pending} mg left over awaits a witnessed waste")
    gaps = rems_gaps(session)
    if gaps:
        raise Conflict("the REMS monitoring form still needs: " + "; ".join(gaps))
    with transaction.atomic():
        fresh = sign_once(
            session,
            version,
            actor,
            unsigned={"signed_at__isnull": True},
            signed={
                "signed_at": timezone.now(),
                "signed_by": actor.user,
                "billing_lines": billing.snapshot(session),
            },
            noun="session",
            already="this session record is already signed",
        )
        record_patient_access(actor, access, "update", "treatment_session.sign")
    return fresh


def record_rems_submission(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int, reference: str
) -> TreatmentSession:
    """The form went in (there is no public REMS API): when, by whom, and its reference."""
    _need(access, Capability.EDIT_CLINICAL, "record REMS submissions")
    if session.product != "esketamine_nasal" or session.dosing_started_at is None:
        raise Conflict("only a dosed esketamine session has a REMS monitoring form")
    if not session.is_signed:
        raise Conflict("sign the session record first: it checks the form is complete")
    if session.rems_submitted_at is not None:
        raise Conflict("this form is recorded as submitted already")
    with transaction.atomic():
        fresh = save_changes(
            session,
            version,
            {
                "rems_submitted_at": timezone.now(),
                "rems_submitted_by": actor.user,
                "rems_reference": reference.strip(),
            },
            actor,
        )
        record_patient_access(actor, access, "update", "treatment_session.rems_submitted")
    return fresh


def follow_up_links(
    actor: Actor, access: PatientAccess, session: TreatmentSession, which: list[str]
) -> list[tuple[str, str, Any]]:
    """PHQ-9 links for the patient to fill in at 4 and/or 24 hours after the dose: created at
    discharge, handed over (QR code or message), opening at their time."""
    _need(access, Capability.SEND_ASSESSMENT_LINK, "send questionnaire links")
    if State(session.state) not in (State.MONITORING, State.READY, State.DISCHARGED):
        raise Conflict("follow-up questionnaires are for after the dose")
    unknown = [w for w in which if w not in FOLLOW_UP_LINKS]
    if unknown or not which:
        raise InvalidInput("which", f"choose from {', '.join(FOLLOW_UP_LINKS)}")
    last = facts.last_dose_at(session) or timezone.now()
    phq9 = get_instrument(session.patient.clinic_id, "phq9")
    links = []
    with transaction.atomic():
        for context in dict.fromkeys(which):
            after, hours = FOLLOW_UP_LINKS[context]
            raw, link = create_link(actor, access, phq9, context, hours, opens_at=last + after)
            links.append((context, raw, link))
    return links
