"""The prescriber's evaluation: the facts eligibility is decided on, the decision, the
signature. A signed evaluation never changes; an amendment is a new evaluation linked to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ketamine_clinic.patients.models import PatientRecord


class Evaluation(PatientRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    class Diagnosis(models.TextChoices):
        MDD = "mdd", "Major depressive disorder"
        BIPOLAR = "bipolar_depression", "Bipolar depression"
        MDD_SI = "mdd_with_si", "MDD with suicidal ideation"
        OTHER = "other", "Other"

    class Product(models.TextChoices):
        IV = "iv_racemic", "IV racemic ketamine"
        IM = "im_racemic", "IM racemic ketamine"
        ESKETAMINE = "esketamine_nasal", "Esketamine nasal spray"

    class Indication(models.TextChoices):
        TRD = "trd", "Treatment-resistant depression"
        MDSI = "mdsi", "MDD with acute suicidal ideation"
        OFF_LABEL = "off_label", "Off-label"

    class UrineTox(models.TextChoices):
        NOT_DONE = "not_done", "Not done"
        NEGATIVE = "negative", "Negative"
        EXPLAINED = "positive_explained", "Positive, explained by prescriptions"
        POSITIVE = "positive", "Positive, not explained"

    sign_status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    evaluated_on = models.DateField()
    diagnosis = models.CharField(max_length=20, choices=Diagnosis.choices)
    product = models.CharField("planned product", max_length=20, choices=Product.choices)
    indication = models.CharField(max_length=20, choices=Indication.choices)
    label_region = models.CharField(
        max_length=2, choices=[("US", "US"), ("EU", "EU")], default="US"
    )
    episode_months = models.PositiveSmallIntegerField("current episode (months)")
    episode_severity = models.CharField(
        max_length=20,
        choices=[
            ("subsyndromal", "Subsyndromal"),
            ("mild", "Mild"),
            ("moderate", "Moderate"),
            ("severe", "Severe without psychosis"),
            ("severe_psychotic", "Severe with psychosis"),
        ],
    )
    psychosis_history = models.BooleanField(default=False)
    current_psychosis = models.BooleanField("psychotic symptoms now", default=False)
    current_mania = models.BooleanField("mania or hypomania now", default=False)
    ketamine_misuse = models.BooleanField(
        "ketamine or esketamine misuse or use disorder now", default=False
    )
    substance_use = models.CharField(
        max_length=10,
        choices=[("none", "None"), ("history", "History, in remission"), ("active", "Active")],
        default="none",
    )
    urine_tox = models.CharField(max_length=20, choices=UrineTox.choices, default=UrineTox.NOT_DONE)
    aneurysmal_vascular_disease = models.BooleanField(default=False)
    arteriovenous_malformation = models.BooleanField(default=False)
    intracerebral_haemorrhage = models.BooleanField(
        "history of intracerebral haemorrhage", default=False
    )
    cardiovascular_event_weeks_ago = models.PositiveSmallIntegerField(
        "cardiovascular event (weeks ago)", null=True, blank=True
    )
    unstable_cardiorespiratory = models.BooleanField(
        "unstable cardiovascular or respiratory disease", default=False
    )
    raised_intracranial_pressure = models.BooleanField(default=False)
    systolic_mmhg = models.PositiveSmallIntegerField(
        "baseline systolic (mmHg)", null=True, blank=True
    )
    diastolic_mmhg = models.PositiveSmallIntegerField(
        "baseline diastolic (mmHg)", null=True, blank=True
    )
    hepatic_impairment = models.CharField(
        max_length=10,
        choices=[
            ("none", "None"),
            ("mild", "Mild"),
            ("moderate", "Moderate"),
            ("severe", "Severe"),
        ],
        default="none",
    )
    pregnant = models.BooleanField(default=False)
    breastfeeding = models.BooleanField(default=False)
    hypersensitivity = models.BooleanField("hypersensitivity to ketamine/esketamine", default=False)
    medication_classes = models.JSONField(
        default=list, blank=True, help_text="Interacting classes the patient takes"
    )
    narrative = models.TextField(blank=True, max_length=20000)
    overrides = models.JSONField(
        default=dict, blank=True, help_text="Relative contraindications overridden: code -> reason"
    )
    # Filled in when signed, so the signed decision can always be shown as it was.
    decision = models.CharField(max_length=30, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    trd = models.JSONField(default=dict, blank=True)
    trials_snapshot = models.JSONField(default=list, blank=True)
    medications_snapshot = models.JSONField(
        default=list, blank=True, help_text="The chart's current medicines when signed"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-evaluated_on", "-created_at"]

    @property
    def is_signed(self) -> bool:
        return self.sign_status == self.Status.SIGNED


from ketamine_clinic.evaluations.consent.models import (  # noqa: E402  # one app, two files
    Consent,
    ConsentDocument,
    RemsEnrolment,
)
from ketamine_clinic.evaluations.notes.models import ClinicalNote  # noqa: E402

__all__ = ["ClinicalNote", "Consent", "ConsentDocument", "Evaluation", "RemsEnrolment"]
