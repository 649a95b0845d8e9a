"""The consent document in force, a patient's active consent and every consent they signed."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from ketamine_clinic.evaluations.consent.models import (
    PRODUCTS,
    Consent,
    ConsentDocument,
    RemsEnrolment,
)
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus

PRODUCT_LABELS = dict(PRODUCTS)


def current_document(clinic_id: uuid.UUID, product: str) -> ConsentDocument | None:
    return (
        ConsentDocument.objects.filter(clinic_id=clinic_id, product=product)
        .order_by("-version")
        .first()
    )


def clinic_document(clinic_id: uuid.UUID, document_id: uuid.UUID) -> ConsentDocument | None:
    """A consent document of this clinic, any version, by its id."""
    return ConsentDocument.objects.filter(pk=document_id, clinic_id=clinic_id).first()


def rems_enrolment(patient: Patient) -> RemsEnrolment | None:
    """The patient's current REMS enrolment (esketamine), the latest if there are several."""
    return (
        RemsEnrolment.objects.filter(patient=patient, status=RecordStatus.ACTIVE)
        .order_by("-enrolled_on")
        .first()
    )


def active_consent(patient: Patient, product: str) -> Consent | None:
    return (
        Consent.objects.filter(
            patient=patient, product=product, status=RecordStatus.ACTIVE, withdrawn_at__isnull=True
        )
        .order_by("-patient_signed_at")
        .first()
    )


def consents_of(patient: Patient) -> QuerySet[Consent]:
    """Every consent the patient signed, with the document as signed, newest first."""
    return Consent.objects.filter(patient=patient).select_related("document")
