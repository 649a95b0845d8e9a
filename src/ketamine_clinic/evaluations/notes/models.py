"""Clinical notes: written from a template, signed, then never changed (addenda instead)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ketamine_clinic.patients.models import PatientRecord


class ClinicalNote(PatientRecord):
    class Kind(models.TextChoices):
        EVALUATION = "evaluation", "Evaluation narrative"
        PSYCHOTHERAPY = "psychotherapy", "Psychotherapy session"
        INTEGRATION = "integration", "Integration session"
        FOLLOW_UP = "follow_up", "Follow-up"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=50000)
    occurred_on = models.DateField()
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    addendum_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
