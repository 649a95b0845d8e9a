"""A session from opening to discharge: check-in, the pre-dose checks, vitals, observations,
adverse events, ready, discharge or abort, and the signed record."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.appointments.actions import follow_the_chair
from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.clinical import chair, pre_dose
from ketamine_clinic.clinical.session_flow import State
from ketamine_clinic.clinical.vital_signs import Reading, alerts, implausible
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.queries import require_treatment_gate
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.records.versioning import save_changes, sign_once
from ketamine_clinic.treatment.models import Course, ScheduledSession
from ketamine_clinic.treatment.queries import dosing
from ketamine_clinic.treatment_sessions import billing, facts, rems
from ketamine_clinic.treatment_sessions.actions.core import (
    BEFORE_DISCHARGE,
    MIN_REASON,
    ROUTES,
    clinical_write,
    need,
    record_entry,
    step,
)
from ketamine_clinic.treatment_sessions.models import (
    AdverseEvent,
    Observation,
    PreDoseCheck,
    TreatmentSession,
    VitalSigns,
)


def open_session(
    actor: Actor, access: PatientAccess, scheduled: ScheduledSession
) -> TreatmentSession:
    """Today's session for a planned dosing day of an active course, under its signed order."""
    need(access, Capability.MANAGE_SCHEDULE, "open treatment sessions")
    course = scheduled.course
    if not scheduled.is_dosing or scheduled.state != ScheduledSession.State.PLANNED:
        raise Conflict("only a planned dosing session can be opened")
    if course.state != Course.State.ACTIVE:
        raise Conflict("the course is not active: its order is not signed")
    if scheduled.on != timezone.localdate():
        raise Conflict(f"this session is planned for {date_format(scheduled.on)}, not today")
    if TreatmentSession.objects.filter(scheduled=scheduled).exists():
        raise Conflict("this session is already open")
    order = dosing.signed_order(course)
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


def check_in(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int
) -> TreatmentSession:
    need(access, Capability.MANAGE_SCHEDULE, "check patients in")
    with transaction.atomic():
        fresh = step(actor, session, version, State.CHECKED_IN)
        follow_the_chair(actor, access, session.scheduled, Appointment.State.ARRIVED)
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
    clinical_write(access, session, {State.CHECKED_IN})
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
    return record_entry(
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
    clinical_write(access, session, BEFORE_DISCHARGE)
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
    return record_entry(
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
    clinical_write(access, session, {State.CHECKED_IN})
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
        fresh = step(actor, session, version, State.CHECKS_PASSED, changes, override_reason)
        record_patient_access(actor, access, "update", "treatment_session.checks_passed")
    return fresh


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
    clinical_write(access, session, BEFORE_DISCHARGE)
    ranges = chair.observation_ranges()
    low, high = ranges.get(scale, (None, None))
    if low is None or high is None:
        raise InvalidInput("scale", f"must be one of {', '.join(ranges)}")
    if not low <= score <= high:
        raise InvalidInput("score", f"{scale} runs from {low} to {high}")
    return record_entry(
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
    clinical_write(access, session, BEFORE_DISCHARGE)
    resolved = values.get("resolved_at")
    if resolved is not None and resolved > timezone.now() + timedelta(minutes=1):
        raise InvalidInput("resolved_at", "must not be in the future")
    return record_entry(
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
    clinical_write(access, session, {State.MONITORING})
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
        fresh = step(
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
    clinical_write(access, session, {State.READY})
    with transaction.atomic():
        fresh = step(actor, session, version, State.DISCHARGED, {"discharge_note": note}, note)
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
        follow_the_chair(actor, access, scheduled, Appointment.State.COMPLETED)
        record_patient_access(actor, access, "update", "treatment_session.discharge")
    return fresh


def abort(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int, reason: str
) -> TreatmentSession:
    """Before the first dose only: the day is cancelled with the reason."""
    need(access, Capability.MANAGE_SCHEDULE, "abort sessions")
    if len(reason.strip()) < 3:
        raise InvalidInput("reason", "say why the session is aborted")
    with transaction.atomic():
        fresh = step(actor, session, version, State.ABORTED, {"abort_reason": reason}, reason)
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


def sign_record(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int
) -> TreatmentSession:
    """Sign the session record once the patient has left (or the session was aborted); for
    esketamine, not before the REMS monitoring form has every required field."""
    need(access, Capability.EDIT_CLINICAL, "sign session records")
    if State(session.state) not in (State.DISCHARGED, State.ABORTED):
        raise Conflict("the record is signed after discharge (or abort)")
    pending = facts.waste_pending_mg(session)
    if pending > 0:
        raise Conflict(f"{pending} mg left over awaits a witnessed waste")
    gaps = rems.gaps(session)
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
