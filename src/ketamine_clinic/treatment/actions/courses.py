"""Ordering a course, signing its dose order (behind the treatment gate), and keeping its
schedule: moves, cancellations, missed sessions, the move to maintenance."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.clinical.protocols import Protocol
from ketamine_clinic.clinical.scheduling import (
    ScheduleError,
    check_move,
    check_open,
    plan_adjuncts,
    plan_course,
    plan_phase,
)
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.models import ClinicalNote
from ketamine_clinic.evaluations.queries import require_treatment_gate
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.versioning import save_changes, sign_once
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession
from ketamine_clinic.treatment.queries import dose_history, dosing


def _phase(protocol: Protocol, name: str) -> Any:
    for phase in protocol.phases:
        if phase.name == name:
            return phase
    return protocol.phases[0]


def order_course(
    actor: Actor,
    access: PatientAccess,
    protocol: Protocol,
    params: dosing.DoseParams,
    start_on: date,
    induction_sessions: int | None = None,
    integration_every: int | None = None,
) -> Course:
    """A draft course with its first dose order and planned schedule, with an integration
    session after every `integration_every` doses if asked. Nothing happens until a prescriber
    signs the order, which checks the treatment gate."""
    patient = access.patient
    if patient.in_error:
        raise Conflict("this patient is marked entered in error")
    if start_on < timezone.localdate():
        raise InvalidInput("start_on", "must not be in the past")
    calculation = dosing.calculate_for_patient(protocol, params, patient)
    phases = protocol.phases
    if induction_sessions is not None:
        if not 1 <= induction_sessions <= 12:
            raise InvalidInput("planned_sessions", "must be between 1 and 12")
        phases = (replace(phases[0], sessions=induction_sessions), *phases[1:])
    clinic = patient.clinic
    open_days, closed = dosing.open_weekdays(clinic), dosing.closed_dates(clinic)
    esketamine = protocol.product == dose_history.ESKETAMINE
    last = dose_history.last_dosing_day(dose_history.given_doses(patient, esketamine))
    try:
        plan = plan_course(phases[:1], start_on, open_days, closed, after=last)
        adjuncts = (
            plan_adjuncts([p.on for p in plan], integration_every, open_days, closed)
            if integration_every
            else []
        )
    except ScheduleError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    with transaction.atomic():
        course = Course(
            patient=patient,
            protocol_id=protocol.id,
            protocol_version=protocol.version,
            product=protocol.product,
            phase=phases[0].name,
            start_on=start_on,
            created_by=actor.user,
        )
        course.attribute_to(actor.user)
        course.save(force_insert=True)
        _new_order(actor, course, params, calculation)
        for item in plan:
            _plan_session(actor, course, item.on, item.phase)
        for on in adjuncts:
            _plan_session(actor, course, on, phases[0].name, ScheduledSession.Kind.INTEGRATION)
        record_patient_access(actor, access, "create", "course")
    return course


def _plan_session(
    actor: Actor,
    course: Course,
    on: date,
    phase: str,
    kind: str = ScheduledSession.Kind.DOSING,
    note: str = "",
) -> ScheduledSession:
    session = ScheduledSession(
        patient=course.patient,
        course=course,
        kind=kind,
        on=on,
        phase=phase,
        note=note,
        created_by=actor.user,
    )
    session.attribute_to(actor.user)
    session.save(force_insert=True)
    return session


def add_adjunct(
    actor: Actor, access: PatientAccess, course: Course, kind: str, on: date, note: str
) -> ScheduledSession:
    """A preparation, psychotherapy or integration session in the course plan, on an open day."""
    if kind == ScheduledSession.Kind.DOSING or kind not in ScheduledSession.Kind.values:
        raise InvalidInput("kind", "must be preparation, psychotherapy or integration")
    if course.state == Course.State.STOPPED:
        raise Conflict("this course is stopped")
    if on < timezone.localdate():
        raise InvalidInput("on", "must not be in the past")
    clinic = access.patient.clinic
    try:
        check_open(on, dosing.open_weekdays(clinic), dosing.closed_dates(clinic))
    except ScheduleError as exc:
        raise InvalidInput("on", exc.message) from None
    with transaction.atomic():
        session = _plan_session(actor, course, on, course.phase, kind, note)
        record_patient_access(actor, access, "create", f"schedule.{kind}")
    return session


def _new_order(
    actor: Actor, course: Course, params: dosing.DoseParams, calculation: Any
) -> DoseOrder:
    order = DoseOrder(
        patient=course.patient,
        course=course,
        dose_mg_per_kg=params.dose_mg_per_kg,
        dose_mg=params.dose_mg,
        stock_product_id=params.stock_product,
        concentration_mg_per_ml=calculation.stock.concentration.value
        if calculation.stock
        else None,
        diluent=params.diluent or "",
        final_volume_ml=params.final_volume_ml,
        duration_min=params.duration_min,
        override_reason=params.override_reason or "",
        calculation=snapshot_json(dosing.calculation_json(calculation)),
        created_by=actor.user,
    )
    order.attribute_to(actor.user)
    order.save(force_insert=True)
    return order


def snapshot_json(value: Any) -> Any:
    """Decimals as strings, so the snapshot reads back exactly as it was calculated."""
    if isinstance(value, dict):
        return {k: snapshot_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [snapshot_json(v) for v in value]
    if hasattr(value, "as_tuple"):
        return str(value)
    return value


def change_dose(
    actor: Actor,
    access: PatientAccess,
    course: Course,
    params: dosing.DoseParams,
) -> DoseOrder:
    """A dose change is a new order; the earlier one stays as it was signed."""
    if course.state == Course.State.STOPPED:
        raise Conflict("this course is stopped")
    protocol = dosing.course_protocol(course)
    calculation = dosing.calculate_for_patient(protocol, params, access.patient)
    with transaction.atomic():
        order = _new_order(actor, course, params, calculation)
        record_patient_access(actor, access, "create", "dose_order")
    return order


def sign_order(actor: Actor, access: PatientAccess, order: DoseOrder, version: int) -> DoseOrder:
    """Sign behind the gate: a signed evaluation, an active consent, REMS for esketamine."""
    course = order.course
    require_treatment_gate(access.patient, course.product, timezone.localdate())
    if not order.calculation.get("accepted"):
        raise Conflict(
            "this order is outside the protocol and needs an override reason: "
            + "; ".join(order.calculation.get("needs_override", []))
        )
    _recheck(access, order)
    now = timezone.now()
    with transaction.atomic():
        fresh = sign_once(
            order,
            version,
            actor,
            unsigned={"signed_at__isnull": True},
            signed={"signed_at": now, "signed_by": actor.user},
            noun="order",
            already="this order is already signed; a dose change is a new order",
        )
        if course.state == Course.State.DRAFT:
            save_changes(course, course.version, {"state": Course.State.ACTIVE}, actor)
        record_patient_access(actor, access, "update", "dose_order.sign")
    return fresh


def order_params(order: DoseOrder) -> dosing.DoseParams:
    return dosing.DoseParams(
        dose_mg_per_kg=order.dose_mg_per_kg,
        stock_product=order.stock_product_id,
        diluent=order.diluent or None,
        final_volume_ml=order.final_volume_ml,
        duration_min=order.duration_min,
        dose_mg=order.dose_mg,
        override_reason=order.override_reason or None,
    )


def _recheck(access: PatientAccess, order: DoseOrder) -> None:
    """An order is signed as the record stands now: days may have passed since it was written
    (the weight aged, doses were given). A different dose, or a new rule it breaks without a
    reason, means a new order."""
    try:
        now = dosing.calculate_for_patient(
            dosing.course_protocol(order.course), order_params(order), access.patient
        )
    except InvalidInput as exc:
        raise Conflict(f"the record has changed since this order was written: {exc}") from None
    written = order.calculation.get("dose_mg")
    if written is not None and str(now.dose.value) != str(written):
        raise Conflict(
            f"the record has changed since this order was written: the dose is now {now.dose} "
            f"(was {written} mg): write a new order"
        )
    if not now.accepted:
        raise Conflict(
            "this order is outside the protocol as the record stands today and needs an "
            "override reason: " + "; ".join(now.needs_override)
        )


def move_session(
    actor: Actor, access: PatientAccess, session: ScheduledSession, version: int, new_on: date
) -> ScheduledSession:
    if session.state != ScheduledSession.State.PLANNED:
        raise Conflict(f"only a planned session can be moved (this one is {session.state})")
    if new_on < timezone.localdate():
        raise InvalidInput("on", "must not be in the past")
    course = session.course
    clinic = access.patient.clinic
    open_days, closed = dosing.open_weekdays(clinic), dosing.closed_dates(clinic)
    try:
        if session.is_dosing:
            others = list(
                ScheduledSession.objects.filter(
                    course=course,
                    kind=ScheduledSession.Kind.DOSING,
                    state__in=[ScheduledSession.State.PLANNED, ScheduledSession.State.DONE],
                ).exclude(pk=session.pk)
            )
            dates = [s.on for s in others] + [session.on]
            phase = _phase(dosing.course_protocol(course), session.phase)
            check_move(dates, len(dates) - 1, new_on, phase, open_days, closed)
        else:  # adjunct sessions keep to open days; the dosing spacing is not theirs
            check_open(new_on, open_days, closed)
    except ScheduleError as exc:
        raise InvalidInput(exc.field if exc.field != "date" else "on", exc.message) from None
    with transaction.atomic():
        moved = save_changes(session, version, {"on": new_on, "moved_from": session.on}, actor)
        record_patient_access(actor, access, "update", "schedule.move")
    return moved


def mark_session(
    actor: Actor,
    access: PatientAccess,
    session: ScheduledSession,
    version: int,
    state: str,
    note: str,
    clinical_note: ClinicalNote | None = None,
    poorly_tolerated: str = "",
) -> ScheduledSession:
    """Cancel a planned session, record that the patient missed it, or record that it took
    place (with the clinical note that records an adjunct session, if written). The course
    keeps the record, and the next session keeps its date."""
    if state not in ScheduledSession.State.values or state == ScheduledSession.State.PLANNED:
        raise InvalidInput("state", "must be cancelled, missed or done")
    if session.state != ScheduledSession.State.PLANNED:
        raise Conflict(f"this session is already {session.state}")
    changes: dict[str, Any] = {"state": state, "note": note}
    if state == ScheduledSession.State.DONE:
        _check_done(access, session, clinical_note)
        changes["clinical_note"] = clinical_note
        if poorly_tolerated.strip():
            if not session.is_dosing:
                raise InvalidInput("poorly_tolerated", "only a dose given is tolerated or not")
            changes["poorly_tolerated"] = poorly_tolerated.strip()
    elif clinical_note is not None:
        raise InvalidInput("clinical_note", "only a session that took place has a note")
    elif poorly_tolerated.strip():
        raise InvalidInput("poorly_tolerated", "only a dose given is tolerated or not")
    with transaction.atomic():
        updated = save_changes(session, version, changes, actor)
        record_patient_access(actor, access, "update", f"schedule.{state}")
    return updated


def _check_done(
    access: PatientAccess, session: ScheduledSession, clinical_note: ClinicalNote | None
) -> None:
    if session.on > timezone.localdate():
        raise Conflict("a session in the future cannot have taken place")
    if session.is_dosing:
        # Recording a dose given is clinical, and only under a signed order.
        if not can(access.role, Capability.EDIT_CLINICAL):
            raise PermissionDenied("your role does not record doses given")
        if not DoseOrder.objects.filter(course=session.course, signed_at__isnull=False).exists():
            raise Conflict("no signed order on this course: nothing can have been given")
    if clinical_note is not None:
        if not can(access.role, Capability.READ_NOTES):
            raise PermissionDenied("your role does not read clinical notes")
        if clinical_note.patient_id != session.patient_id or clinical_note.in_error:
            raise InvalidInput("clinical_note", "no such note for this patient")


def start_maintenance(actor: Actor, access: PatientAccess, course: Course, version: int) -> Course:
    """Move the course to maintenance: remaining induction sessions are cancelled and the
    maintenance phases with a fixed number of sessions are planned after the last one."""
    if course.state != Course.State.ACTIVE:
        raise Conflict("only an active course moves to maintenance")
    protocol = dosing.course_protocol(course)
    maintenance = protocol.phases[1:]
    if not maintenance:
        raise Conflict(f"{protocol.name} has no maintenance phase")
    today = timezone.localdate()
    clinic = access.patient.clinic
    with transaction.atomic():
        remaining = ScheduledSession.objects.filter(
            course=course,
            kind=ScheduledSession.Kind.DOSING,
            state=ScheduledSession.State.PLANNED,
            on__gte=today,
        )
        for session in remaining:
            save_changes(
                session,
                session.version,
                {
                    "state": ScheduledSession.State.CANCELLED,
                    "note": "cancelled on the move to maintenance",
                },
                actor,
            )
        last = (
            ScheduledSession.objects.filter(
                course=course, kind=ScheduledSession.Kind.DOSING, state=ScheduledSession.State.DONE
            )
            .order_by("-on")
            .first()
        )
        previous = last.on if last else None
        start = max(today, (previous or today) + timedelta(days=1))
        planned = []
        for phase in maintenance:
            if phase.sessions is None:
                break
            dates = plan_phase(
                phase,
                start,
                phase.sessions,
                dosing.open_weekdays(clinic),
                dosing.closed_dates(clinic),
                previous,
            )
            planned += [(d, phase.name) for d in dates]
            if dates:
                previous = dates[-1]
                start = previous + timedelta(days=1)
        for on, name in planned:
            _plan_session(actor, course, on, name)
        updated = save_changes(course, version, {"phase": maintenance[0].name}, actor)
        record_patient_access(actor, access, "update", "course.maintenance")
    return updated
