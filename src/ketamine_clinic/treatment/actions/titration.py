"""The prescriber's decision on a titration suggestion: accepted or dismissed, with a note."""

from __future__ import annotations

from django.db import transaction

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.treatment.models import (
    Course,
    TitrationDecision,
)
from ketamine_clinic.treatment.queries.titration import open_suggestions, suggestion_json

MIN_NOTE = 3


def decide(
    actor: Actor,
    access: PatientAccess,
    course: Course,
    *,
    rule: str,
    situation: str,
    decision: str,
    note: str,
) -> TitrationDecision:
    """Accept or dismiss a suggestion that applies now. Accepting changes nothing by itself: a
    dose change is still a new order, signed by the prescriber."""
    if decision not in TitrationDecision.Decision.values:
        raise InvalidInput("decision", "must be accepted or dismissed")
    if len(note.strip()) < MIN_NOTE:
        raise InvalidInput("note", f"say why, in at least {MIN_NOTE} characters")
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()  # one decider at a time
        offered = {(s.rule, s.situation): s for s in open_suggestions(course)}
        suggestion = offered.get((rule, situation))
        if suggestion is None:
            raise Conflict(
                "this suggestion is not open: it was decided already or no longer applies; reload"
            )
        row = TitrationDecision(
            patient=course.patient,
            course=course,
            rule=rule,
            situation=situation,
            decision=decision,
            note=note.strip(),
            suggestion=suggestion_json(suggestion),
            created_by=actor.user,
        )
        row.attribute_to(actor.user)
        row.save(force_insert=True)
        record_patient_access(actor, access, "create", f"titration.{decision}")
    return row
