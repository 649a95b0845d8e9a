"""A patient's choice of channel and what they stopped, and every message: what it is for,
to whom, when it is due, its consent basis, and what became of it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.patients.models import Patient


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Preference(models.Model):
    """How a patient wants to hear from the clinic. No row: email if they gave an address,
    else text; a STOP by text or an unsubscribe stops that channel until they opt in again."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="messaging")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    reminders = models.BooleanField(default=True, help_text="Appointment reminders")
    questionnaires = models.BooleanField(default=True, help_text="Questionnaire links")
    sms_stopped_at = models.DateTimeField(null=True, blank=True)
    email_stopped_at = models.DateTimeField(null=True, blank=True)
    basis = models.CharField(
        max_length=300, help_text="Who recorded the choice and how (the consent basis)"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.channel} for {self.patient_id}"


class Message(models.Model):
    """One message to one person on one channel. `key` makes planning idempotent: two
    workers planning the same reminder make one row."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Appointment confirmation"
        REMINDER = "reminder", "Appointment reminder"
        QUESTIONNAIRE = "questionnaire", "Questionnaire link"
        STAFF_TASK = "staff_task", "Staff deadline"
        STAFF_REPLY = "staff_reply", "A secure message is waiting"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent"
        UNCONFIRMED = "unconfirmed", "Sending interrupted"
        MERGED = "merged", "Sent with another"
        BOUNCED = "bounced", "Bounced"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=200, unique=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="messages")
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        help_text="A member of staff, for a staff message",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text="As sent; a single-use link is kept as [link]")
    about = models.JSONField(default=dict, blank=True, help_text="What it is for (ids)")
    due_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    basis = models.CharField(max_length=300, help_text="The consent basis for sending it")
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider reported it delivered"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at"]
        indexes = [
            models.Index(fields=["clinic", "state", "due_at"], name="message_due"),
            # Delivery reports and bounces find their message by the provider's id.
            models.Index(fields=["provider_id"], name="message_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.state})"


def _attachments() -> FileSystemStorage:
    return FileSystemStorage(location=settings.KC_ATTACHMENTS_DIR)


class Thread(models.Model):
    """A secure conversation between a patient and the care team, part of the chart."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="threads")
    subject = models.CharField(max_length=120)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now)
    waiting_for_staff = models.BooleanField(
        default=True, help_text="The last word was the patient's: the care team owes a reply"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-last_post_at"]
        indexes = [models.Index(fields=["clinic", "state", "-last_post_at"], name="thread_inbox")]

    def __str__(self) -> str:
        return self.subject


class Post(models.Model):
    """One message in a thread. Never changed or deleted: it is part of the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    from_patient = models.BooleanField()
    automatic = models.BooleanField(default=False, help_text="The clinic's after-hours reply")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"post in {self.thread_id}"


class Attachment(models.Model):
    """An image or a PDF sent with a post, checked by its content, kept outside the web root."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=_attachments, upload_to="%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.name


class ReadReceipt(models.Model):
    """Who read which post, and when (the patient sees when the care team read theirs)."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.post_id}"
