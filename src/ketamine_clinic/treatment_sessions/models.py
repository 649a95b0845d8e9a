"""The treatment session at the chair and everything recorded during it.

A session moves through the states of `clinical.session_flow`. What is recorded during it
(checks, vitals, doses, observations, adverse events) are entries: never changed or deleted; a
correction is a new entry that names the one it corrects, and the current picture is the
entries nobody has corrected. Every write bumps the session's version, so two nurses writing
from two tablets get a conflict instead of one silently overwriting the other.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ketamine_clinic.clinical.session_flow import LABELS, State
from ketamine_clinic.patients.models import PatientRecord

STATE_CHOICES = [(state.value, LABELS[state]) for state in State]


class TreatmentSession(PatientRecord):
    course = models.ForeignKey(
        "treatment.Course", on_delete=models.PROTECT, related_name="sessions"
    )
    scheduled = models.OneToOneField(
        "treatment.ScheduledSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="treatment_session",
    )
    order = models.ForeignKey("treatment.DoseOrder", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=30)
    route = models.CharField(max_length=20)
    state = models.CharField(max_length=25, choices=STATE_CHOICES, default=State.SCHEDULED)
    on = models.DateField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checks_passed_at = models.DateTimeField(null=True, blank=True)
    dosing_started_at = models.DateTimeField(null=True, blank=True)
    monitoring_started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    aborted_at = models.DateTimeField(null=True, blank=True)
    abort_reason = models.CharField(max_length=1000, blank=True)
    bp_override_reason = models.CharField(max_length=2000, blank=True)
    bp_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_adult = models.CharField(max_length=200, blank=True)
    discharge_override_reason = models.CharField(
        max_length=2000,
        blank=True,
        help_text="A prescriber's reason to let the patient go with vitals out of range",
    )
    discharge_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ready_without_rule_min = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="REMS: when the patient would have been ready to leave"
    )
    discharge_note = models.CharField(max_length=2000, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rems_submitted_at = models.DateTimeField(null=True, blank=True)
    rems_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rems_reference = models.CharField(max_length=100, blank=True)
    billing_lines = models.JSONField(
        null=True,
        blank=True,
        help_text="The billing lines as they stood when the record was signed: later fee "
        "changes do not alter a claim already made.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-on", "-created_at"]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Transition(models.Model):
    """Each step of the session: when, by whom, from which state (append-only)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="transitions"
    )
    from_state = models.CharField(max_length=25, choices=STATE_CHOICES)
    to_state = models.CharField(max_length=25, choices=STATE_CHOICES)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"


class Entry(models.Model):
    """Something recorded during a session; corrected by a newer entry, never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(help_text="When it happened (the nurse may enter it a little later)")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "recorded_at"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} at {self.at:%H:%M}"


class PreDoseCheck(Entry):
    class Pregnancy(models.TextChoices):
        NOT_APPLICABLE = "not_applicable", "Not possible (established)"
        NOT_PREGNANT = "not_pregnant", "Not pregnant (confirmed)"
        PREGNANT = "pregnant", "Pregnant"
        UNKNOWN = "unknown", "Unknown"

    identity_confirmed = models.BooleanField()
    last_food_at = models.DateTimeField(null=True, blank=True)
    last_liquid_at = models.DateTimeField(null=True, blank=True)
    nasal_steroid_decongestant_at = models.DateTimeField(null=True, blank=True)
    ride_home = models.BooleanField()
    ride_name = models.CharField(max_length=200, blank=True)
    pregnancy = models.CharField(max_length=20, choices=Pregnancy.choices)
    intoxicated = models.BooleanField(
        "signs of intoxication (alcohol or drugs)",
        default=False,
        help_text="Slurred speech, the smell of alcohol, a positive breath test",
    )
    # Asked at every dosing session (clinical/repeated_dosing.py); blank: not asked.
    urinary_symptoms = models.CharField(
        "urinary or bladder symptoms",
        max_length=10,
        blank=True,
        choices=[("none", "None"), ("present", "Present")],
        help_text="Frequency, urgency, pain on passing urine, blood in the urine",
    )
    medication_changes = models.CharField(max_length=2000, blank=True)
    # Concomitant medicines the REMS monitoring form asks about (CLINICAL.md 2).
    benzodiazepines = models.BooleanField()
    non_benzodiazepine_sedative_hypnotics = models.BooleanField()
    psychostimulants = models.BooleanField()
    maois = models.BooleanField()
    opioids = models.BooleanField()
    pre_dose_assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class VitalSigns(Entry):
    class Timing(models.TextChoices):
        PRE_DOSE = "pre_dose", "Before dosing"
        MONITORING = "monitoring", "During monitoring"
        PRE_DISCHARGE = "pre_discharge", "Before leaving"

    timing = models.CharField(max_length=20, choices=Timing.choices)
    systolic_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate_bpm = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate_per_min = models.PositiveSmallIntegerField(null=True, blank=True)
    alerts = models.JSONField(default=list)


class Administration(Entry):
    class Action(models.TextChoices):
        DEVICE = "device", "Esketamine device"
        IV_START = "iv_start", "Infusion started"
        IV_PAUSE = "iv_pause", "Infusion paused"
        IV_RESUME = "iv_resume", "Infusion resumed"
        IV_RATE = "iv_rate", "Pump rate changed"
        IV_STOP = "iv_stop", "Infusion stopped"
        IM_INJECTION = "im_injection", "Intramuscular injection"
        ORAL = "oral", "Oral or sublingual dose"

    action = models.CharField(max_length=20, choices=Action.choices)
    device_number = models.PositiveSmallIntegerField(null=True, blank=True)
    container = models.ForeignKey(
        "inventory.Container", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lot = models.CharField(max_length=100, blank=True, help_text="The container's lot")
    drawn_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    given_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    waste_mg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)


class Observation(Entry):
    class Scale(models.TextChoices):
        MOAAS = "moaas", "MOAA/S (sedation, 0-5)"
        CADSS = "cadss", "CADSS (dissociation)"
        BPRS_PLUS = "bprs_plus", "BPRS+ (positive symptoms)"

    scale = models.CharField(max_length=20, choices=Scale.choices)
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=1000, blank=True)


class AdverseEvent(Entry):
    class Kind(models.TextChoices):
        DISSOCIATION = "dissociation", "Dissociation"
        NAUSEA = "nausea", "Nausea"
        VOMITING = "vomiting", "Vomiting"
        DIZZINESS = "dizziness", "Dizziness"
        HALLUCINATIONS = "hallucinations", "Hallucinations"
        CONFUSION = "confusion", "Confusion"
        SEDATION = "sedation", "Sedation"
        RAISED_BP = "raised_bp", "Raised blood pressure"
        RESPIRATORY_DEPRESSION = "respiratory_depression", "Respiratory depression"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    action_taken = models.CharField(max_length=1000, blank=True)
    serious = models.BooleanField(default=False, help_text="A serious adverse event (REMS form)")
    resolved_at = models.DateTimeField(null=True, blank=True)
