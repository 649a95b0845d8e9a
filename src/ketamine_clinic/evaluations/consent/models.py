"""Consent documents (versioned, per product, written by the clinic), the patient's signed
consents with their witness, and REMS patient enrolment for esketamine."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.patients.models import PatientRecord

PRODUCTS = [
    ("iv_racemic", "IV racemic ketamine"),
    ("im_racemic", "IM racemic ketamine"),
    ("esketamine_nasal", "Esketamine nasal spray"),
]


class ConsentDocument(models.Model):
    """One version of a clinic's consent text for a product. Never edited: a change is a new
    version, and the newest version is the one patients sign."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="consent_documents")
    product = models.CharField(max_length=20, choices=PRODUCTS)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_markdown = models.TextField(max_length=50000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "product", "version"], name="consent_doc_version"
            )
        ]
        ordering = ["product", "-version"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Consent(PatientRecord):
    """A patient's signature on one exact document version, countersigned by a staff witness."""

    class SignatureKind(models.TextChoices):
        TYPED = "typed", "Typed"
        DRAWN = "drawn", "Drawn"

    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=20, choices=PRODUCTS)
    signed_name = models.CharField(max_length=200)
    signature_kind = models.CharField(max_length=10, choices=SignatureKind.choices)
    signature_typed = models.CharField(max_length=200, blank=True)
    signature_image = models.TextField(blank=True, help_text="PNG data URL of a drawn signature")
    patient_signed_at = models.DateTimeField()
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witnessed_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-patient_signed_at"]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None and not self.in_error


class RemsEnrolment(PatientRecord):
    """Spravato REMS patient enrolment: before the first esketamine dose (CLINICAL.md 2)."""

    enrolled_on = models.DateField()
    enrolment_id = models.CharField("REMS enrolment id", max_length=60)
    patient_signed = models.BooleanField(default=False)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-enrolled_on"]
