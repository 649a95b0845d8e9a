"""Evaluations over the API: record, edit the draft, sign, amend; and the eligibility gate."""

import uuid
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.evaluations import actions, queries
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.evaluations.queries import treatment_gate, with_result
from ketamine_clinic.evaluations.schemas import (
    EligibilityOut,
    EvaluationCreate,
    EvaluationOut,
    EvaluationUpdate,
    SignRequest,
)
from ketamine_clinic.patients.access import get_chart_record_for_user, get_patient_for_user

router = Router(tags=["evaluations"])


@router.get(
    "/patients/{patient_id}/evaluations",
    response=list[EvaluationOut],
    summary="A patient's evaluations",
)
def list_evaluations(request: HttpRequest, patient_id: uuid.UUID) -> list[Evaluation]:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    rows = queries.evaluations_of(access.patient)
    record_access(
        api_actor(request), action="read", what="evaluations", clinic=access.patient.clinic_id,
        patient_id=access.patient.pk, role=access.role,
    )  # fmt: skip
    return [with_result(e) for e in rows]


@router.post(
    "/patients/{patient_id}/evaluations",
    response={201: EvaluationOut},
    summary="Record an evaluation (prescribers); returns the decision, every reason and TRD",
)
def create_evaluation(
    request: HttpRequest, patient_id: uuid.UUID, payload: EvaluationCreate
) -> Status:
    access = get_patient_for_user(request_user(request), patient_id, Capability.EVALUATE)
    evaluation = actions.create_evaluation(api_actor(request), access, payload.model_dump())
    return Status(201, with_result(evaluation))


@router.get("/evaluations/{evaluation_id}", response=EvaluationOut, summary="One evaluation")
def get_evaluation(request: HttpRequest, evaluation_id: uuid.UUID) -> Evaluation:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.VIEW_CLINICAL
    )
    record_access(
        api_actor(request), action="read", what="evaluation", clinic=access.patient.clinic_id,
        patient_id=access.patient.pk, role=access.role,
    )  # fmt: skip
    return with_result(evaluation)


@router.patch(
    "/evaluations/{evaluation_id}",
    response=EvaluationOut,
    summary="Edit a draft evaluation (send its version); signed ones are 409",
)
def patch_evaluation(
    request: HttpRequest, evaluation_id: uuid.UUID, payload: EvaluationUpdate
) -> Evaluation:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.EVALUATE
    )
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    return with_result(
        actions.update_evaluation(api_actor(request), access, evaluation, version, changes)
    )


@router.post(
    "/evaluations/{evaluation_id}/sign",
    response=EvaluationOut,
    summary="Sign (prescribers): the evaluation and its decision become immutable",
)
def sign_evaluation(
    request: HttpRequest, evaluation_id: uuid.UUID, payload: SignRequest
) -> Evaluation:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.EVALUATE
    )
    return actions.sign_evaluation(api_actor(request), access, evaluation, payload.version)


@router.post(
    "/evaluations/{evaluation_id}/amend",
    response={201: EvaluationOut},
    summary="Start an amendment of a signed evaluation: a new draft linked to it",
)
def amend(request: HttpRequest, evaluation_id: uuid.UUID) -> Status:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.EVALUATE
    )
    return Status(
        201, with_result(actions.amend_evaluation(api_actor(request), access, evaluation))
    )


@router.get(
    "/patients/{patient_id}/eligibility",
    response=EligibilityOut,
    summary="What the treatment gate still needs for a product (evaluation, consent, REMS)",
)
def eligibility(
    request: HttpRequest,
    patient_id: uuid.UUID,
    product: Literal["iv_racemic", "im_racemic", "esketamine_nasal"] = "iv_racemic",
) -> dict[str, object]:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    missing = treatment_gate(access.patient, product, timezone.localdate())
    record_access(
        api_actor(request), action="read", what="eligibility", clinic=access.patient.clinic_id,
        patient_id=access.patient.pk, role=access.role,
    )  # fmt: skip
    return {"ready": not missing, "product": product, "missing": missing}
