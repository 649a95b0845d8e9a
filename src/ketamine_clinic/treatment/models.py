"""Treatment courses, their signed dose orders and their session schedule."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ketamine_clinic.patients.models import PatientRecord


class ClinicProtocol(models.Model):
    """One version of a clinic's copy of a library protocol.

    Rows are never changed (the table refuses UPDATE): an adjustment is the next version and
    retiring the protocol is a version marked retired, so a course always finds the exact
    protocol it was ordered under."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=50)
    version = models.PositiveIntegerField()
    base_id = models.CharField(max_length=60)
    base_version = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)
    reason = models.CharField(max_length=2000)
    retired = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "key", "version"], name="clinic_protocol_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Course(PatientRecord):
    """A course of treatment with one protocol: induction, then maintenance."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft (order not signed)"
        ACTIVE = "active", "Active"
        STOPPED = "stopped", "Stopped"

    protocol_id = models.CharField(max_length=60)
    protocol_version = models.CharField(max_length=20)
    product = models.CharField(max_length=30)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    phase = models.CharField(max_length=60, default="induction")
    start_on = models.DateField()
    stopped_reason = models.CharField(max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_on"]


class DoseOrder(PatientRecord):
    """What to give, signed by a prescriber; immutable once signed (a change is a new order)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="orders")
    dose_mg_per_kg = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    dose_mg = models.PositiveSmallIntegerField(null=True, blank=True)
    stock_product = models.ForeignKey(
        "inventory.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The vault's product the dose is drawn from",
    )
    concentration_mg_per_ml = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The stock product's concentration when the order was made",
    )
    diluent = models.CharField(max_length=30, blank=True)
    final_volume_ml = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    duration_min = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    override_reason = models.CharField(max_length=2000, blank=True)
    calculation = models.JSONField(default=dict, help_text="The calculation as ordered")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class ScheduledSession(PatientRecord):
    """A planned treatment day in a course."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        CANCELLED = "cancelled", "Cancelled"
        MISSED = "missed", "Missed"
        DONE = "done", "Done"

    class Kind(models.TextChoices):
        DOSING = "dosing", "Dosing session"
        PREPARATION = "preparation", "Preparation session"
        PSYCHOTHERAPY = "psychotherapy", "Psychotherapy session"
        INTEGRATION = "integration", "Integration session"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="schedule")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DOSING)
    on = models.DateField()
    phase = models.CharField(max_length=60)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    moved_from = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    clinical_note = models.ForeignKey(
        "evaluations.ClinicalNote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The note that records an adjunct session",
    )
    poorly_tolerated = models.CharField(
        max_length=500,
        blank=True,
        help_text="For a dose given: what made it poorly tolerated, if it was (titration reads it)",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "kind"]

    @property
    def is_dosing(self) -> bool:
        return self.kind == self.Kind.DOSING


class TitrationDecision(PatientRecord):
    """A prescriber's answer to a titration suggestion: accepted or dismissed, with a note.

    The suggestion is kept as it was shown. `situation` identifies what it was about (the
    order, the phase, the measurement), so a dismissed suggestion does not come back until
    the situation changes."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="decisions")
    rule = models.CharField(max_length=60)
    situation = models.CharField(max_length=200)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.CharField(max_length=2000)
    suggestion = models.JSONField(default=dict)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
