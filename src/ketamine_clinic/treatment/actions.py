"""Ordering a course, signing its dose order (behind the treatment gate), and keeping its
schedule: moves, cancellations, missed sessions, the move to maintenance."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.clinical.protocols import Protocol
from ketamine_clinic.clinical.scheduling import ScheduleError, check_move, plan_course, plan_phase
from ketamine_clinic.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.consent import require_treatment_gate
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.patients.actions import _versioned_update, sign_once
from ketamine_clinic.treatment import service
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession


def _phase(protocol: Protocol, name: str) -> Any:
    for phase in protocol.phases:
        if phase.name == name:
            return phase
    return protocol.phases[0]


def order_course(
    actor: Actor,
    access: PatientAccess,
    protocol: Protocol,
    params: service.DoseParams,
    start_on: date,
    induction_sessions: int | None = None,
) -> Course:
    """A draft course with its first dose order and planned schedule. Nothing happens until a
    prescriber signs the order, which checks the treatment gate."""
    patient = access.patient
    if patient.in_error:
        raise Conflict("this patient is marked entered in error")
    if start_on < timezone.localdate():
        raise InvalidInput("start_on", "must not be in the past")
    calculation = service.calculate_for_patient(protocol, params, patient)
    phases = protocol.phases
    if induction_sessions is not None:
        if not 1 <= induction_sessions <= 12:
            raise InvalidInput("planned_sessions", "must be between 1 and 12")
        phases = (replace(phases[0], sessions=induction_sessions), *phases[1:])
    clinic = patient.clinic
    try:
        plan = plan_course(
            phases[:1], start_on, service.open_weekdays(clinic), service.closed_dates(clinic)
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
            session = ScheduledSession(
                patient=patient, course=course, on=item.on, phase=item.phase, created_by=actor.user
            )
            session.attribute_to(actor.user)
            session.save(force_insert=True)
        record_patient_access(actor, access, "create", "course")
    return course


def _new_order(
    actor: Actor, course: Course, params: service.DoseParams, calculation: Any
) -> DoseOrder:
    order = DoseOrder(
        patient=course.patient,
        course=course,
        dose_mg_per_kg=params.dose_mg_per_kg,
        dose_mg=params.dose_mg,
        concentration_mg_per_ml=params.concentration_mg_per_ml,
        duration_min=params.duration_min,
        override_reason=params.override_reason or "",
        calculation=_jsonable(service.calculation_json(calculation)),
        created_by=actor.user,
    )
    order.attribute_to(actor.user)
    order.save(force_insert=True)
    return order


def _jsonable(value: Any) -> Any:
    """Decimals as strings, so the snapshot reads back exactly as it was calculated."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "as_tuple"):
        return str(value)
    return value


def change_dose(
    actor: Actor,
    access: PatientAccess,
    course: Course,
    params: service.DoseParams,
) -> DoseOrder:
    """A dose change is a new order; the earlier one stays as it was signed."""
    if course.state == Course.State.STOPPED:
        raise Conflict("this course is stopped")
    protocol = service.course_protocol(course)
    calculation = service.calculate_for_patient(protocol, params, access.patient)
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
            _versioned_update(course, course.version, {"state": Course.State.ACTIVE}, actor)
        record_patient_access(actor, access, "update", "dose_order.sign")
    assert isinstance(fresh, DoseOrder)  # noqa: S101  # same model in, same model out
    return fresh


def move_session(
    actor: Actor, access: PatientAccess, session: ScheduledSession, version: int, new_on: date
) -> ScheduledSession:
    if session.state != ScheduledSession.State.PLANNED:
        raise Conflict(f"only a planned session can be moved (this one is {session.state})")
    if new_on < timezone.localdate():
        raise InvalidInput("on", "must not be in the past")
    course = session.course
    protocol = service.course_protocol(course)
    others = list(
        ScheduledSession.objects.filter(
            course=course, state__in=[ScheduledSession.State.PLANNED, ScheduledSession.State.DONE]
        ).exclude(pk=session.pk)
    )
    dates = [s.on for s in others] + [session.on]
    clinic = access.patient.clinic
    try:
        check_move(
            dates,
            len(dates) - 1,
            new_on,
            _phase(protocol, session.phase),
            service.open_weekdays(clinic),
            service.closed_dates(clinic),
        )
    except ScheduleError as exc:
        raise InvalidInput(exc.field if exc.field != "date" else "on", exc.message) from None
    with transaction.atomic():
        moved = _versioned_update(session, version, {"on": new_on, "moved_from": session.on}, actor)
        record_patient_access(actor, access, "update", "schedule.move")
    assert isinstance(moved, ScheduledSession)  # noqa: S101  # same model in, same model out
    return moved


def mark_session(
    actor: Actor,
    access: PatientAccess,
    session: ScheduledSession,
    version: int,
    state: str,
    note: str,
) -> ScheduledSession:
    """Cancel a planned session or record that the patient missed it; the course keeps the
    record, and the next session keeps its date."""
    if state not in (ScheduledSession.State.CANCELLED, ScheduledSession.State.MISSED):
        raise InvalidInput("state", "must be cancelled or missed")
    if session.state != ScheduledSession.State.PLANNED:
        raise Conflict(f"this session is already {session.state}")
    with transaction.atomic():
        updated = _versioned_update(session, version, {"state": state, "note": note}, actor)
        record_patient_access(actor, access, "update", f"schedule.{state}")
    assert isinstance(updated, ScheduledSession)  # noqa: S101  # same model in, same model out
    return updated


def start_maintenance(actor: Actor, access: PatientAccess, course: Course, version: int) -> Course:
    """Move the course to maintenance: remaining induction sessions are cancelled and the
    maintenance phases with a fixed number of sessions are planned after the last one."""
    if course.state != Course.State.ACTIVE:
        raise Conflict("only an active course moves to maintenance")
    protocol = service.course_protocol(course)
    maintenance = protocol.phases[1:]
    if not maintenance:
        raise Conflict(f"{protocol.name} has no maintenance phase")
    today = timezone.localdate()
    clinic = access.patient.clinic
    with transaction.atomic():
        remaining = ScheduledSession.objects.filter(
            course=course, state=ScheduledSession.State.PLANNED, on__gte=today
        )
        for session in remaining:
            _versioned_update(
                session,
                session.version,
                {
                    "state": ScheduledSession.State.CANCELLED,
                    "note": "cancelled on the move to maintenance",
                },
                actor,
            )
        last = (
            ScheduledSession.objects.filter(course=course, state=ScheduledSession.State.DONE)
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
                service.open_weekdays(clinic),
                service.closed_dates(clinic),
                previous,
            )
            planned += [(d, phase.name) for d in dates]
            if dates:
                previous = dates[-1]
                start = previous + timedelta(days=1)
        for on, name in planned:
            session = ScheduledSession(
                patient=course.patient, course=course, on=on, phase=name, created_by=actor.user
            )
            session.attribute_to(actor.user)
            session.save(force_insert=True)
        updated = _versioned_update(course, version, {"phase": maintenance[0].name}, actor)
        record_patient_access(actor, access, "update", "course.maintenance")
    assert isinstance(updated, Course)  # noqa: S101  # same model in, same model out
    return updated
