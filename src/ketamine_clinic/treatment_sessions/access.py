"""Reaching a treatment session: through its patient, for a purpose."""

from __future__ import annotations

import uuid

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.patients.access import PatientAccess, get_chart_record_for_user
from ketamine_clinic.treatment_sessions.models import TreatmentSession


def session_for_user(
    user: User, session_id: uuid.UUID | str, capability: Capability
) -> tuple[PatientAccess, TreatmentSession]:
    # Only the patient and clinic come with it: the course, order and plan are read when an
    # action needs them (a six-table join cost more to plan than the reads it saved).
    return get_chart_record_for_user(user, TreatmentSession, session_id, capability)
