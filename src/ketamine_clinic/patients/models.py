"""Patients and the clinical history recorded about them.

Nothing here is deleted or overwritten in place: every change is a new history row
(django-simple-history), each record carries a `version` that edits must name, and a record
made by mistake is marked `entered_in_error` with who, when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.records.models import Versioned


class Sex(models.TextChoices):
    """FHIR AdministrativeGender codes, so exports need no mapping."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Patient(Versioned):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=32)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    address = models.CharField(max_length=500, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient_record",
        help_text="The patient's own portal account, if any.",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_per_clinic")
        ]
        indexes = [
            models.Index(fields=["clinic", "family_name", "given_name"], name="patient_name"),
            models.Index(fields=["clinic", "birth_date"], name="patient_birth_date"),
        ]
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class PatientRecord(Versioned):
    """A record that belongs to one patient's chart."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk} of patient {self.patient_id}"


class BodyMeasurement(PatientRecord):
    """Weight and height as dated measurements: dosing uses the most recent weight."""

    class Kind(models.TextChoices):
        WEIGHT_KG = "weight_kg", "Weight (kg)"
        HEIGHT_CM = "height_cm", "Height (cm)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    measured_at = models.DateTimeField("measured")
    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "kind", "-measured_at"], name="measurement_latest")
        ]
        ordering = ["-measured_at"]


class Allergy(PatientRecord):
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"
        UNKNOWN = "unknown", "Unknown"

    substance = models.CharField(max_length=200)
    reaction = models.CharField(max_length=500, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    noted_on = models.DateField("noted", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["substance"]


class Medication(PatientRecord):
    """A medication the patient takes (or took: `stopped_on` set)."""

    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=200, blank=True, help_text="e.g. 20 mg once daily")
    indication = models.CharField(max_length=200, blank=True)
    started_on = models.DateField("started", null=True, blank=True)
    stopped_on = models.DateField("stopped", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]


class Diagnosis(PatientRecord):
    icd10_code = models.CharField("ICD-10 code", max_length=8)
    text = models.CharField(max_length=300)
    onset_on = models.DateField("onset", null=True, blank=True)
    is_primary = models.BooleanField("primary", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "icd10_code"]
        verbose_name_plural = "diagnoses"


class TreatmentTrial(PatientRecord):
    """A past treatment: an antidepressant trial, augmentation, psychotherapy, ECT or TMS."""

    class Kind(models.TextChoices):
        ANTIDEPRESSANT = "antidepressant", "Antidepressant"
        AUGMENTATION = "augmentation", "Augmentation"
        PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
        ECT = "ect", "ECT"
        TMS = "tms", "TMS"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        NO_RESPONSE = "no_response", "No response"
        PARTIAL = "partial", "Partial response"
        RESPONSE = "response", "Response"
        INTOLERANCE = "intolerance", "Stopped: intolerance"
        UNKNOWN = "unknown", "Unknown"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200, help_text="Drug, therapy type or device")
    dose_mg_per_day = models.DecimalField(
        "dose (mg/day)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    duration_weeks = models.DecimalField(
        "weeks", max_digits=5, decimal_places=1, null=True, blank=True
    )
    sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    adequate = models.BooleanField(
        null=True, help_text="Adequate dose and duration (unknown when blank)"
    )
    in_current_episode = models.BooleanField("current episode", default=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.UNKNOWN)
    started_on = models.DateField("started", null=True, blank=True)
    ended_on = models.DateField("ended", null=True, blank=True)
    notes = models.CharField(max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "name"]
