"""Billing over the API: a session's codes, a patient's superbill."""

import uuid
from datetime import date

from django.http import HttpRequest, HttpResponse
from ninja import Router

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.api_contract import QueryDate
from ketamine_clinic.common.pdf import pdf_response
from ketamine_clinic.common.schema_types import files
from ketamine_clinic.patients.access import get_patient_for_user, record_patient_access
from ketamine_clinic.treatment_sessions import billing
from ketamine_clinic.treatment_sessions.access import session_for_user
from ketamine_clinic.treatment_sessions.schemas import (
    BillingOut,
)

router = Router(tags=["billing"])


@router.get(
    "/sessions/{session_id}/billing",
    response=BillingOut,
    summary="The session's billing codes: esketamine G2082/G2083 by dose, the clinic's codes",
)
def session_billing(request: HttpRequest, session_id: uuid.UUID) -> dict[str, object]:
    access, session = session_for_user(request_user(request), session_id, Capability.VIEW_CLINICAL)
    record_patient_access(api_actor(request), access, "read", "session billing")
    return {
        "given_mg": billing.given_mg(session),
        "final": session.billing_lines is not None,
        "lines": [
            {"code": line.code, "description": line.description, "units": line.units,
             "fee": line.fee, "amount": line.amount}
            for line in billing.lines(session)
        ],
    }  # fmt: skip


def _pdf(content: bytes, start: date, end: date) -> HttpResponse:
    return pdf_response(content, f"superbill-{start}-{end}.pdf", download=True)


@router.get(
    "/patients/{patient_id}/superbill.pdf",
    openapi_extra=files("application/pdf"),
    summary="A superbill of the patient's sessions in a period (up to a year)",
)
def superbill(
    request: HttpRequest, patient_id: uuid.UUID, start: QueryDate, end: QueryDate
) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    content = billing.superbill(access.patient, start, end)
    record_patient_access(api_actor(request), access, "export", "superbill")
    return _pdf(content, start, end)
