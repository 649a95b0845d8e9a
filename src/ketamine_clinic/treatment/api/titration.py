"""Titration suggestions and the prescriber's decisions over the API."""

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.patients.access import record_patient_access
from ketamine_clinic.treatment.access import course_for_user
from ketamine_clinic.treatment.actions import titration as titration_actions
from ketamine_clinic.treatment.api.schemas import (
    DecisionIn,
    DecisionOut,
    TitrationOut,
)
from ketamine_clinic.treatment.queries import courses, titration

router = Router(tags=["titration"])


@router.get(
    "/courses/{course_id}/titration",
    response=TitrationOut,
    summary="Open titration suggestions (decision support) and past decisions",
)
def get_titration(request: HttpRequest, course_id: uuid.UUID) -> dict[str, Any]:
    access, course = course_for_user(request_user(request), course_id, Capability.EDIT_CLINICAL)
    record_patient_access(api_actor(request), access, "read", "titration")
    return {
        "suggestions": [titration.suggestion_json(s) for s in titration.open_suggestions(course)],
        "decisions": list(courses.decisions_of(course)),
    }


@router.post(
    "/courses/{course_id}/titration",
    response={201: DecisionOut},
    summary="Accept or dismiss a suggestion, with a note (prescribers)",
)
def decide(request: HttpRequest, course_id: uuid.UUID, payload: DecisionIn) -> Status:
    access, course = course_for_user(request_user(request), course_id, Capability.ORDER_TREATMENT)
    row = titration_actions.decide(
        api_actor(request),
        access,
        course,
        rule=payload.rule,
        situation=payload.situation,
        decision=payload.decision,
        note=payload.note,
    )
    return Status(201, row)
