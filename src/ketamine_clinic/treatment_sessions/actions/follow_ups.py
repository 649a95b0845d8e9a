"""The PHQ-9 links handed over at discharge for the scores 4 and 24 hours after the dose."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.assessments.actions import create_link
from ketamine_clinic.assessments.catalogue import get_instrument
from ketamine_clinic.clinical.outcomes import FOLLOW_UP_LINKS
from ketamine_clinic.clinical.session_flow import State
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.treatment_sessions import facts
from ketamine_clinic.treatment_sessions.actions.core import need
from ketamine_clinic.treatment_sessions.models import (
    TreatmentSession,
)


def follow_up_links(
    actor: Actor, access: PatientAccess, session: TreatmentSession, which: list[str]
) -> list[tuple[str, str, Any]]:
    """PHQ-9 links for the patient to fill in at 4 and/or 24 hours after the dose: created at
    discharge, handed over (QR code or message), opening at their time."""
    need(access, Capability.SEND_ASSESSMENT_LINK, "send questionnaire links")
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
