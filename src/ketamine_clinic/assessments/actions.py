"""Every write about measurement: administrations, alerts, links, loaded instruments.

Each runs in one transaction with its audit row; a safety alert is created in the same
transaction as the answer that raised it, so no flagged answer exists without its alert.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access, record_link_access
from ketamine_clinic.accounts.models import Clinic, hash_token
from ketamine_clinic.assessments import alert_badge, outcome_summary
from ketamine_clinic.assessments.models import (
    Assessment,
    AssessmentLink,
    ClinicInstrument,
    SafetyAlert,
    Source,
)
from ketamine_clinic.clinical.instruments import (
    BUILTIN,
    AnswerError,
    DefinitionError,
    Instrument,
    Score,
    parse_definition,
    score,
)
from ketamine_clinic.clinical.outcomes import severe_worsening
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients import actions as patient_actions
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus

LINK_PREFIX = "q_"
MAX_LINK_HOURS = 24 * 14


class AnswersInvalid(InvalidInput):
    """Answers that cannot be scored; `problems` names each item and why."""

    def __init__(self, problems: dict[str, str]) -> None:
        first = next(iter(problems))
        super().__init__(f"items.{first}", problems[first])
        self.problems = problems


@dataclass(frozen=True)
class Recorded:
    assessment: Assessment
    alerts: list[SafetyAlert]


def _score(instrument: Instrument, answers: dict[str, Any]) -> Score:
    try:
        return score(instrument, answers)
    except AnswerError as exc:
        raise AnswersInvalid(exc.problems) from None


def store(
    patient: Patient,
    instrument: Instrument,
    answers: dict[str, Any],
    administered_at: datetime,
    context: str,
    source: str,
    created_by: Any,
    treatment_session_id: uuid.UUID | None = None,
    raise_alerts: bool = True,
    refresh_outcomes: bool = True,
) -> Recorded:
    """Score, store, raise alerts and refresh the patient's outcome summary; the caller holds
    the transaction and writes the audit. An imported history raises no alerts for answers
    long past (`raise_alerts`), and refreshes each patient once at its end
    (`refresh_outcomes`)."""
    if patient.in_error:
        raise Conflict("this patient is marked entered in error; record on the right chart")
    result = _score(instrument, answers)
    assessment = Assessment(
        patient=patient,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        instrument_name=instrument.short_name,
        answers={item.id: answers[item.id] for item in instrument.items},
        total=result.total,
        band_code=result.band.code if result.band else "",
        band_label=result.band.label if result.band else "",
        flags=[{"code": f.code, "message": f.message, "alert": f.alert} for f in result.flags],
        subscales=result.subscales,
        administered_at=administered_at,
        context=context,
        treatment_session_id=treatment_session_id,
        source=source,
        created_by=created_by,
    )
    assessment.attribute_to(created_by)
    assessment.save(force_insert=True)
    alerts = [
        SafetyAlert(
            clinic_id=patient.clinic_id,
            patient=patient,
            assessment=assessment,
            kind=SafetyAlert.Kind.FLAG,
            code=flag.code,
            message=flag.message,
        )
        for flag in result.alerts
    ]
    previous = (
        Assessment.objects.filter(
            patient=patient,
            instrument_id=instrument.id,
            status=RecordStatus.ACTIVE,
            administered_at__lt=administered_at,
        )
        .order_by("-administered_at")
        .first()
    )
    top = instrument.top_band
    if previous is not None and severe_worsening(
        previous.total, result.total, instrument.worsening_points, top.low if top else None
    ):
        alerts.append(
            SafetyAlert(
                clinic_id=patient.clinic_id,
                patient=patient,
                assessment=assessment,
                kind=SafetyAlert.Kind.WORSENING,
                code=f"{instrument.id}_worsening",
                message=f"{instrument.short_name} rose from {previous.total} to {result.total} "
                f"({result.band.label if result.band else ''})",
            )
        )
    if not raise_alerts:
        alerts = []
    for alert in alerts:
        alert.save(force_insert=True)
    if alerts:
        alert_badge.forget(patient.clinic_id)
    if refresh_outcomes:
        outcome_summary.refresh(patient)
    return Recorded(assessment, alerts)


def mark_in_error(
    actor: Actor, access: PatientAccess, assessment: Assessment, version: int, reason: str
) -> Assessment:
    """Mark an administration entered in error; the patient's outcomes no longer count it."""
    with transaction.atomic():
        updated = patient_actions.mark_in_error(
            actor, access, assessment, version, reason, what="assessment"
        )
        outcome_summary.refresh(access.patient)
    return updated


def record_assessment(
    actor: Actor,
    access: PatientAccess,
    instrument: Instrument,
    answers: dict[str, Any],
    administered_at: datetime,
    context: str,
    source: str = Source.STAFF,
    treatment_session_id: uuid.UUID | None = None,
) -> Recorded:
    if source != Source.STAFF and not instrument.self_report:
        raise InvalidInput("instrument", f"{instrument.short_name} is rated by a clinician")
    with transaction.atomic():
        recorded = store(
            access.patient,
            instrument,
            answers,
            administered_at,
            context,
            source,
            actor.user,
            treatment_session_id,
        )
        record_access(
            actor,
            action="create",
            what=f"assessment.{instrument.id}",
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    return recorded


def create_link(
    actor: Actor,
    access: PatientAccess,
    instrument: Instrument,
    context: str,
    hours: int,
    opens_at: datetime | None = None,
) -> tuple[str, AssessmentLink]:
    """A questionnaire link for the clinic to send, usable from `opens_at` (default now) for
    `hours`. The raw secret is returned once."""
    if not instrument.self_report:
        raise InvalidInput("instrument", f"{instrument.short_name} is rated by a clinician")
    if not 1 <= hours <= MAX_LINK_HOURS:
        raise InvalidInput("expires_in_hours", f"must be between 1 and {MAX_LINK_HOURS}")
    raw = LINK_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        link = AssessmentLink.objects.create(
            key_hash=hash_token(raw),
            patient=access.patient,
            instrument_id=instrument.id,
            context=context,
            created_by=actor.user,
            opens_at=opens_at,
            expires_at=(opens_at or timezone.now()) + timedelta(hours=hours),
        )
        record_access(
            actor,
            action="create",
            what=f"assessment_link.{instrument.id}",
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    return raw, link


class LinkUnusable(Exception):
    """A link that is unknown, expired or already used: the page says which (HTTP 410)."""


class LinkNotYetOpen(LinkUnusable):
    """A follow-up questionnaire opened before its time: come back later."""


def find_link(raw: str) -> AssessmentLink:
    if not raw.startswith(LINK_PREFIX) or len(raw) > 100:
        raise LinkUnusable("This link is not valid.")
    link = (
        AssessmentLink.objects.select_related("patient", "patient__clinic")
        .filter(key_hash=hash_token(raw))
        .first()
    )
    if link is None:
        raise LinkUnusable("This link is not valid.")
    if link.used_at is not None:
        raise LinkUnusable("This link has already been used. Each link works once.")
    if link.expires_at <= timezone.now():
        raise LinkUnusable("This link has expired. Ask the clinic for a new one.")
    if link.patient.in_error:
        raise LinkUnusable("This link is no longer valid.")
    if link.opens_at is not None and link.opens_at > timezone.now():
        opens = timezone.localtime(link.opens_at)
        raise LinkNotYetOpen(
            f"This questionnaire opens at {opens:%H:%M} on {opens:%A %d %B}. "
            "Open the link again then."
        )
    return link


def submit_link(raw: str, answers: dict[str, Any], ip_address: str | None) -> Recorded:
    """Store the answers given through a link; the link is spent in the same transaction, and
    a conditional update makes a second submission (even a simultaneous one) fail."""
    link = find_link(raw)
    instrument = BUILTIN.get(link.instrument_id)
    if instrument is None:
        from ketamine_clinic.assessments.catalogue import get_instrument

        instrument = get_instrument(link.patient.clinic_id, link.instrument_id)
    now = timezone.now()
    with transaction.atomic():
        spent = AssessmentLink.objects.filter(
            pk=link.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not spent:
            raise LinkUnusable("This link has already been used. Each link works once.")
        recorded = store(
            link.patient, instrument, answers, now, link.context, Source.LINK, link.patient.user
        )
        AssessmentLink.objects.filter(pk=link.pk).update(assessment=recorded.assessment)
        record_link_access(
            ip_address,
            action="create",
            what=f"assessment.{instrument.id}",
            clinic_id=link.patient.clinic_id,
            patient_id=link.patient.pk,
        )
    return recorded


def acknowledge_alert(actor: Actor, alert: SafetyAlert, role: str, note: str) -> SafetyAlert:
    """Record who saw the alert and what they did; an alert is acknowledged once."""
    with transaction.atomic():
        locked = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise Conflict("this alert was already acknowledged")
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = actor.user
        locked.action_note = note
        locked._history_user = actor.user  # type: ignore[attr-defined]  # read by simple-history
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "action_note"])
        alert_badge.forget(locked.clinic_id)
        record_access(
            actor,
            action="update",
            what="safety_alert",
            clinic=locked.clinic_id,
            patient_id=locked.patient_id,
            role=role,
        )
    return locked


def load_instrument(actor: Actor, clinic: Clinic, definition: Any) -> ClinicInstrument:
    """Load a clinic's own instrument from a definition file (validated first)."""
    try:
        instrument = parse_definition(definition)
    except DefinitionError as exc:
        raise DefinitionInvalid(exc.problems) from None
    if instrument.id in BUILTIN:
        raise DefinitionInvalid(
            [f"id: {instrument.id!r} is a built-in instrument; choose another id"]
        )
    try:
        with transaction.atomic():
            return ClinicInstrument.objects.create(
                clinic=clinic,
                instrument_id=instrument.id,
                version=instrument.version,
                definition=definition,
                loaded_by=actor.user,
            )
    except IntegrityError:
        raise Conflict(
            f"{instrument.id} version {instrument.version} is already loaded; give a new version"
        ) from None


class DefinitionInvalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
