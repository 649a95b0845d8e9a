"""Rating-scale administrations, clinic-loaded instruments, questionnaire links, safety alerts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.patients.models import Patient, PatientRecord


class Context(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    PRE_DOSE = "pre_dose", "Before the dose"
    POST_DOSE = "post_dose", "After the dose"
    FOUR_HOURS = "4h", "4 hours after the dose"
    DAY_AFTER = "24h", "24 hours after the dose"
    WEEKLY = "weekly", "Weekly"
    AD_HOC = "ad_hoc", "Other"


class Source(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    PORTAL = "portal", "Patient portal"
    LINK = "link", "Questionnaire link"
    IMPORT = "import", "Imported from another system"


class Assessment(PatientRecord):
    """One administration of one instrument, with its score as computed when it was taken.

    The instrument's id and version are kept, so a later edition of an instrument never
    changes an old score. Answers are never edited: a wrong one is marked entered in error.
    """

    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20)
    instrument_name = models.CharField(max_length=40)
    answers = models.JSONField()
    total = models.IntegerField()
    band_code = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=200, blank=True)
    flags = models.JSONField(default=list)
    subscales = models.JSONField(default=dict)
    administered_at = models.DateTimeField()
    context = models.CharField(max_length=20, choices=Context.choices)
    treatment_session_id = models.UUIDField(
        null=True, blank=True, help_text="The treatment session it belongs to, if any."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-administered_at"]
        indexes = [
            models.Index(
                fields=["patient", "instrument_id", "administered_at"], name="assessment_series"
            )
        ]


class ClinicInstrument(models.Model):
    """An instrument a clinic loaded from a definition file (e.g. one under licence)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="instruments")
    instrument_id = models.CharField(max_length=40)
    version = models.CharField(max_length=20)
    definition = models.JSONField()
    active = models.BooleanField(default=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument_id", "version"], name="clinic_instrument_version"
            )
        ]
        ordering = ["instrument_id", "-loaded_at"]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.version} ({self.clinic_id})"


class AssessmentLink(models.Model):
    """A single-use, expiring link that lets a patient fill in one questionnaire without
    logging in. Only a hash of the link's secret is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key_hash = models.CharField(max_length=64, unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    instrument_id = models.CharField(max_length=40)
    context = models.CharField(max_length=20, choices=Context.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Not before this time (a 4-hour score after a dose)"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.instrument_id} link for {self.patient_id}"


class SafetyAlert(models.Model):
    """A finding that a clinician must see and acknowledge with what they did."""

    class Kind(models.TextChoices):
        FLAG = "flag", "Answer flagged"
        WORSENING = "severe_worsening", "Severe worsening"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_note = models.CharField(max_length=2000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["clinic", "acknowledged_at"], name="alert_open")]

    def __str__(self) -> str:
        return f"{self.code} for {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class OutcomeSummary(models.Model):
    """A patient's standing on one instrument, derived from their active scores and kept ready
    for the clinic's outcome report (assessments/outcome_summary.py refreshes it).

    Not a clinical record: every row can be rebuilt from the assessments and sessions at any
    time (`ketamine-clinic refresh-outcomes`), so a refresh replaces it. It holds only what
    does not depend on the clinic's remission cut-off, which the report applies itself.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outcomes")
    instrument_id = models.CharField(max_length=40)
    baseline_at = models.DateTimeField(null=True)
    baseline_total = models.IntegerField(null=True)
    latest_at = models.DateTimeField(null=True)
    latest_total = models.IntegerField(null=True)
    measured = models.BooleanField(help_text="A sustained score after the baseline.")
    response = models.BooleanField(help_text="The latest score is a response.")
    first_response_at = models.DateTimeField(null=True)
    days_to_first_response = models.IntegerField(null=True)
    days_to_relapse = models.IntegerField(
        null=True, help_text="From the first response to the relapse, when the latest is not one."
    )
    days_responding = models.IntegerField(
        null=True, help_text="From the first response to the latest score, while responding."
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "instrument_id"], name="outcome_summary")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} of {self.patient_id}"
