"""Consent documents published, signatures recorded, consent withdrawn, REMS enrolment."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.consent.models import (
    Consent,
    ConsentDocument,
    RemsEnrolment,
)
from ketamine_clinic.evaluations.consent.queries import PRODUCT_LABELS, current_document
from ketamine_clinic.patients.access import PatientAccess, record_patient_access

PNG_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 200_000


def publish_document(
    actor: Actor, clinic: Clinic, product: str, title: str, body: str
) -> ConsentDocument:
    """A new version of the clinic's consent text; earlier versions stay as they were signed."""
    if product not in PRODUCT_LABELS:
        raise InvalidInput("product", f"must be one of {', '.join(PRODUCT_LABELS)}")
    for _attempt in range(3):
        latest = ConsentDocument.objects.filter(clinic=clinic, product=product).aggregate(
            v=Max("version")
        )["v"]
        try:
            with transaction.atomic():
                return ConsentDocument.objects.create(
                    clinic=clinic,
                    product=product,
                    version=(latest or 0) + 1,
                    title=title,
                    body_markdown=body,
                    created_by=actor.user,
                )
        except IntegrityError:
            continue
    raise Conflict("another version was published at the same moment; try again")


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def _check_png(data_url: str) -> None:
    if not data_url.startswith(PNG_PREFIX):
        raise InvalidInput("signature_image", "must be a PNG data URL")
    try:
        raw = base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("signature_image", "is not valid base64") from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise InvalidInput("signature_image", f"is larger than {MAX_SIGNATURE_BYTES // 1000} kB")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput("signature_image", "is not a PNG image")


def check_signature(
    access: PatientAccess,
    document: ConsentDocument,
    signed_name: str,
    signature_typed: str,
    signature_image: str,
) -> None:
    """What a signature must be, checked before it is kept: the current version of the
    clinic's document, the patient's registered name, one typed or one drawn signature."""
    patient = access.patient
    if patient.in_error:
        raise Conflict("this patient is marked entered in error")
    if document.clinic_id != patient.clinic_id:
        raise InvalidInput("document", "is not one of this clinic's consent documents")
    current = current_document(patient.clinic_id, document.product)
    if current is None or current.pk != document.pk:
        newest = current.version if current else "?"
        raise Conflict(
            f"a newer version of this consent exists (version {newest}); "
            "show the patient the current one"
        )
    if _normalise(signed_name) != _normalise(patient.full_name):
        raise InvalidInput(
            "signed_name", f"must be the patient's full name as registered ({patient.full_name})"
        )
    if bool(signature_typed.strip()) == bool(signature_image):
        raise InvalidInput("signature", "give either a typed or a drawn signature")
    if signature_image:
        _check_png(signature_image)


def record_consent(
    actor: Actor,
    access: PatientAccess,
    document: ConsentDocument,
    signed_name: str,
    signature_typed: str = "",
    signature_image: str = "",
    witness: Any = None,
    signed_at: datetime | None = None,
) -> Consent:
    """The patient signs the exact current version; the witness is the logged-in staff
    member unless another one was chosen (a clinic tablet in kiosk mode), who confirmed."""
    check_signature(access, document, signed_name, signature_typed, signature_image)
    patient = access.patient
    now = timezone.now()
    consent = Consent(
        patient=patient,
        document=document,
        product=document.product,
        signed_name=signed_name.strip(),
        signature_kind=Consent.SignatureKind.DRAWN
        if signature_image
        else Consent.SignatureKind.TYPED,
        signature_typed=signature_typed.strip(),
        signature_image=signature_image,
        patient_signed_at=signed_at or now,
        witness=witness or actor.user,
        witnessed_at=now,
        created_by=actor.user,
    )
    with transaction.atomic():
        consent.attribute_to(actor.user)
        consent.save(force_insert=True)
        record_patient_access(actor, access, "create", f"consent.{document.product}")
    return consent


def withdraw_consent(actor: Actor, access: PatientAccess, consent: Consent, reason: str) -> Consent:
    """Withdrawal stops the next dose at once; the signed consent stays in the record."""
    now = timezone.now()
    with transaction.atomic():
        done = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=actor.user, withdrawn_reason=reason, updated_at=now
        )
        if not done:
            raise Conflict("this consent was already withdrawn")
        fresh = Consent.objects.get(pk=consent.pk)
        fresh.attribute_to(actor.user)
        fresh.save(update_fields=["updated_at"])  # a history row for the withdrawal
        record_patient_access(actor, access, "update", "consent.withdraw")
    return fresh


def enrol_rems(
    actor: Actor, access: PatientAccess, enrolled_on: date, enrolment_id: str, patient_signed: bool
) -> RemsEnrolment:
    if not patient_signed:
        raise InvalidInput("patient_signed", "the patient must sign the REMS enrolment form")
    enrolment = RemsEnrolment(
        patient=access.patient,
        enrolled_on=enrolled_on,
        enrolment_id=enrolment_id,
        patient_signed=True,
        prescriber=actor.user,
        created_by=actor.user,
    )
    with transaction.atomic():
        enrolment.attribute_to(actor.user)
        enrolment.save(force_insert=True)
        record_patient_access(actor, access, "create", "rems_enrolment")
    return enrolment
