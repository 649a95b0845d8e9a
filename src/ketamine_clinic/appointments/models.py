"""Places (chairs and rooms) with their weekly hours, staff working hours per location, and
appointments: a patient, a kind, a time, a place and the staff it needs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.patients.models import PatientRecord

HOURS_HELP = 'Weekly hours, 0 = Monday: {"0": [["08:00", "18:00"]], ...}'


class Place(models.Model):
    """A chair (where doses are given and patients recover) or a room (evaluations, therapy)
    at one location, with its opening hours."""

    class Kind(models.TextChoices):
        CHAIR = "chair", "Chair"
        ROOM = "room", "Room"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="places")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=80)
    hours = models.JSONField(default=dict, blank=True, help_text=HOURS_HELP)
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="place_name_in_clinic")
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """When a member of staff works at one location, week by week."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="working_hours")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="working_hours"
    )
    hours = models.JSONField(default=dict, blank=True, help_text=HOURS_HELP)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="working_hours_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.clinic_id}"


class Appointment(PatientRecord):
    """A booking. A dosing appointment belongs to the course's planned session it books."""

    class Kind(models.TextChoices):
        EVALUATION = "evaluation", "Evaluation"
        DOSING = "dosing", "Dosing"
        PREPARATION = "preparation", "Preparation"
        INTEGRATION = "integration", "Integration"
        PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
        FOLLOW_UP = "follow_up", "Follow-up"
        TELEHEALTH = "telehealth", "Telehealth"

    class State(models.TextChoices):
        BOOKED = "booked", "Booked"
        ARRIVED = "arrived", "Arrived"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        LATE_CANCELLED = "late_cancelled", "Cancelled late"
        NO_SHOW = "no_show", "No-show"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    product = models.CharField(max_length=30, blank=True, help_text="For a dose")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="appointments")
    course = models.ForeignKey(
        "treatment.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled = models.ForeignKey(
        "treatment.ScheduledSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="The course's planned session this books",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.BOOKED)
    moved_from = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    history = HistoricalRecords(m2m_fields=[staff])

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["clinic", "starts_at"], name="appointment_day"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient"),
            # The message planner's minute: every clinic's bookings whose reminder is due soon.
            models.Index(fields=["starts_at"], name="appointment_starts"),
        ]

    @property
    def holds_time(self) -> bool:
        """Whether it still takes its place and staff (a cancelled one frees them)."""
        return self.status == "active" and self.state in HOLDING


HOLDING = (Appointment.State.BOOKED, Appointment.State.ARRIVED, Appointment.State.COMPLETED)


class CalendarFeed(models.Model):
    """A member of staff's private iCalendar link for one location. Only its hash is kept;
    a new link revokes the old one, and revoking ends it at once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"


class WaitlistEntry(PatientRecord):
    """A patient who would take an earlier or any free time between two days: offered to the
    front desk when an appointment that fits is cancelled."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Appointment.Kind.choices)
    course = models.ForeignKey(
        "treatment.Course",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a dose: the course whose next planned dose it is",
    )
    earliest = models.DateField()
    latest = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
