"""Consent documents, signed consents, withdrawal, the signed PDF, REMS enrolment."""

import uuid
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.schema_types import files
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent import queries as consent_queries
from ketamine_clinic.evaluations.consent.models import PRODUCTS, Consent, ConsentDocument
from ketamine_clinic.evaluations.consent.pdf import consent_pdf_response
from ketamine_clinic.evaluations.consent.schemas import (
    ConsentCreate,
    ConsentOut,
    DocumentCreate,
    DocumentOut,
    RemsCreate,
    RemsOut,
    WithdrawRequest,
)
from ketamine_clinic.patients.access import (
    get_chart_record_for_user,
    get_patient_for_user,
    the_clinic,
)

router = Router(tags=["consent"])
ProductCode = Literal["iv_racemic", "im_racemic", "esketamine_nasal"]


@router.get("/consent-documents", response=list[DocumentOut], summary="Current consent documents")
def list_documents(
    request: HttpRequest, product: ProductCode | None = None
) -> list[ConsentDocument]:
    user = request_user(request)
    result = []
    for membership in user.active_memberships:
        for code, _label in PRODUCTS:
            if product and code != product:
                continue
            document = consent_queries.current_document(membership.clinic_id, code)
            if document is not None:
                result.append(document)
    return result


@router.post(
    "/consent-documents",
    response={201: DocumentOut},
    summary="Publish a new version of a consent document (admins, prescribers)",
)
def publish(request: HttpRequest, payload: DocumentCreate) -> Status:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_CONSENT_DOCUMENTS)
    document = consent_actions.publish_document(
        api_actor(request),
        clinic,
        payload.product,
        payload.title,
        payload.body_markdown,
    )
    return Status(201, document)


@router.get("/patients/{patient_id}/consents", response=list[ConsentOut], summary="Signed consents")
def list_consents(request: HttpRequest, patient_id: uuid.UUID) -> list[Consent]:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    record_access(
        api_actor(request),
        action="read",
        what="consents",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return list(consent_queries.consents_of(access.patient))


@router.post(
    "/patients/{patient_id}/consents",
    response={201: ConsentOut},
    summary="Record the patient's signature on the current document; you are the witness",
)
def sign_consent(request: HttpRequest, patient_id: uuid.UUID, payload: ConsentCreate) -> Status:
    access = get_patient_for_user(request_user(request), patient_id, Capability.RECORD_CONSENT)
    document = consent_queries.clinic_document(access.patient.clinic_id, payload.document)
    if document is None:
        raise InvalidInput("document", "is not one of this clinic's consent documents")
    signed = consent_actions.record_consent(
        api_actor(request),
        access,
        document,
        payload.signed_name,
        payload.signature_typed,
        payload.signature_image,
    )
    return Status(201, signed)


@router.post("/consents/{consent_id}/withdraw", response=ConsentOut, summary="Withdraw a consent")
def withdraw(request: HttpRequest, consent_id: uuid.UUID, payload: WithdrawRequest) -> Consent:
    access, found = get_chart_record_for_user(
        request_user(request), Consent, consent_id, Capability.WITHDRAW_CONSENT, "document"
    )
    return consent_actions.withdraw_consent(api_actor(request), access, found, payload.reason)


@router.get(
    "/consents/{consent_id}/consent.pdf",
    summary="The signed consent as a PDF",
    openapi_extra=files("application/pdf"),
)
def consent_pdf(request: HttpRequest, consent_id: uuid.UUID) -> HttpResponse:
    access, found = get_chart_record_for_user(
        request_user(request), Consent, consent_id, Capability.VIEW_CLINICAL, "document"
    )
    return consent_pdf_response(request, access, found, "api")


@router.post(
    "/patients/{patient_id}/rems-enrolment",
    response={201: RemsOut},
    summary="Record Spravato REMS patient enrolment (prescribers)",
)
def rems_enrolment(request: HttpRequest, patient_id: uuid.UUID, payload: RemsCreate) -> Status:
    access = get_patient_for_user(request_user(request), patient_id, Capability.ENROL_REMS)
    enrolment = consent_actions.enrol_rems(
        api_actor(request),
        access,
        payload.enrolled_on,
        payload.enrolment_id,
        payload.patient_signed,
    )
    return Status(201, enrolment)
