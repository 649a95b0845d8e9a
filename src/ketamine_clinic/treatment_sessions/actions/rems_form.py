"""The esketamine REMS patient monitoring form: what is missing, and its submission."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import Conflict
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.versioning import save_changes
from ketamine_clinic.treatment_sessions.actions.core import need
from ketamine_clinic.treatment_sessions.models import (
    TreatmentSession,
)


def record_rems_submission(
    actor: Actor, access: PatientAccess, session: TreatmentSession, version: int, reference: str
) -> TreatmentSession:
    """The form went in (there is no public REMS API): when, by whom, and its reference."""
    need(access, Capability.EDIT_CLINICAL, "record REMS submissions")
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
