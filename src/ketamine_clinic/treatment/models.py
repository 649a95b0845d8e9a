"""Treatment courses, their signed dose orders and their session schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ketamine_clinic.patients.models import PatientRecord


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
    concentration_mg_per_ml = models.DecimalField(
        max_digits=7, decimal_places=3, null=True, blank=True
    )
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

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="schedule")
    on = models.DateField()
    phase = models.CharField(max_length=60)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    moved_from = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on"]
