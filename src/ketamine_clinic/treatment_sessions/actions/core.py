"""What every write at the chair shares: the permission check, the step from one state to the
next, and an entry claimed on the session's version in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.clinical import session_flow
from ketamine_clinic.clinical.session_flow import State
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.versioning import claim, save_changes
from ketamine_clinic.treatment_sessions.models import (
    Entry,
    Transition,
    TreatmentSession,
)

E = TypeVar("E", bound=Entry)
MIN_REASON = 10
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


def need(access: PatientAccess, capability: Capability, what: str) -> None:
    if not can(access.role, capability):
        raise PermissionDenied(f"your role does not {what}")


def step(
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


def bump(session: TreatmentSession, version: int) -> TreatmentSession:
    """Claim the session for an entry written with it: a stale version is a conflict. Nothing
    of the session itself changes, so it gets no history row; the entry is the record."""
    fresh = claim(session, version)
    return fresh


def new_entry(
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


def record_entry(
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
        bump(session, version)
        entry = new_entry(actor, session, model, values, at, corrects, correction_reason)
        record_patient_access(actor, access, "create", f"treatment_session.{what}")
    return entry


def clinical_write(access: PatientAccess, session: TreatmentSession, states: set[State]) -> None:
    need(access, Capability.EDIT_CLINICAL, "record at the chair")
    if State(session.state) not in states:
        raise Conflict(f"not while the session is {State(session.state).label.lower()}")


BEFORE_DISCHARGE = {
    State.CHECKED_IN,
    State.CHECKS_PASSED,
    State.DOSING,
    State.MONITORING,
    State.READY,
}
