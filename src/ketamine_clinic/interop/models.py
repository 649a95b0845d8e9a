"""A clinic's bulk FHIR exports: who asked, when, what was written (the NDJSON files live in
EXPORT_DIR, one folder per export)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class BulkExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    request_url = models.CharField(max_length=1000)
    types = models.JSONField(default=list, help_text="Resource types asked for (empty: all)")
    since = models.DateTimeField(
        null=True, blank=True, help_text="_since: only resources changed from then on"
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker began writing (empty: still queued)"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    files = models.JSONField(default=list, help_text="[{type, count}] written")
    patients = models.PositiveIntegerField(default=0, help_text="Patients written so far")
    patients_total = models.PositiveIntegerField(
        default=0, help_text="Patients in the clinic when it was asked for"
    )
    error = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"bulk export {self.pk} of {self.clinic_id}"

    @property
    def in_progress(self) -> bool:
        """Queued or being written: neither finished, failed nor deleted."""
        return self.completed_at is None and not self.error and self.deleted_at is None

    @property
    def percent(self) -> int:
        """How far the writing is, for the progress bar and the status's X-Progress."""
        if self.completed_at is not None:
            return 100
        return min(99, self.patients * 100 // self.patients_total) if self.patients_total else 0


class ImportedRecord(models.Model):
    """Which local record a resource from another system became: importing the same bundle
    again finds it here instead of creating a duplicate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    resource_type = models.CharField(max_length=40)
    source_key = models.CharField(max_length=500, help_text="identifier system|value, or id")
    local_id = models.UUIDField()
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "resource_type", "source_key"], name="imported_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.source_key} -> {self.local_id}"


class ResearchId(models.Model):
    """A patient's pseudonym and secret date offset for research extracts: random (derived
    from nothing about the patient), kept here so every extract for a partner links the same
    way, and never exported itself."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    study_id = models.CharField(max_length=20, unique=True)
    date_offset_days = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.study_id


class SmartApp(models.Model):
    """A SMART on FHIR app a clinic lets its staff and patients connect: the OAuth client
    (django-oauth-toolkit's Application) and the clinic whose records it may read."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="smart"
    )
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    launch_url = models.URLField(
        blank=True, help_text="Where an EHR launch sends the browser (empty: standalone only)"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"SMART app {self.application.name}"


class SmartLaunch(models.Model):
    """One EHR launch: the opaque `launch` value the app trades, once and within minutes,
    for the patient whose chart it was opened from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app = models.ForeignKey(SmartApp, on_delete=models.CASCADE, related_name="launches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"launch {self.pk}"


class SmartContext(models.Model):
    """The patient a SMART authorization code, then its access token, is bound to: an app
    given `patient/` scopes reads this patient and no other."""

    grant = models.OneToOneField(
        settings.OAUTH2_PROVIDER_GRANT_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="smart_context",
    )
    access_token = models.OneToOneField(
        settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="smart_context",
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"SMART context: patient {self.patient_id}"
