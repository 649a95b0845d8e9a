"""Clinics, users and their roles, API tokens, and the append-only access log."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from ketamine_clinic.accounts.roles import ROLE_CHOICES, STAFF_ROLES, Role
from ketamine_clinic.server.compiled_sql import CompiledRead


class Clinic(models.Model):
    """A clinic location: the boundary of every patient record and every permission."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    require_staff_otp = models.BooleanField(
        default=False,
        help_text="Staff must use an authenticator app (TOTP) as a second factor.",
    )
    crisis_phone = models.CharField(
        max_length=40,
        default="988",
        help_text="Shown to patients at once when an answer suggests risk (988 in the US).",
    )
    crisis_text = models.CharField(
        max_length=300,
        default="Call or text 988, the Suicide & Crisis Lifeline (US), or your local emergency "
        "number.",
    )
    measurement_interval_days = models.PositiveSmallIntegerField(
        default=7, help_text="A patient in care is due for a self-report after this many days."
    )
    remission_thresholds = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per-instrument remission cut-offs overriding the defaults, e.g. {"madrs": 12}.',
    )
    open_weekdays = models.JSONField(
        default=list, blank=True, help_text="Days treatments are given, 0 = Monday; empty = Mon-Fri"
    )
    closed_dates = models.JSONField(
        default=list, blank=True, help_text="Holidays and closures, as YYYY-MM-DD"
    )
    eligibility_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="Eligibility thresholds overriding the defaults (see clinical/eligibility.py).",
    )
    address = models.CharField(
        max_length=500, blank=True, help_text="Postal address (REMS monitoring form)"
    )
    phone = models.CharField(max_length=40, blank=True, help_text="The clinic's phone number")
    session_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="Chair thresholds overriding the defaults (see clinical/vital_signs.py).",
    )
    appointment_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="Appointment lengths and capacity overriding the defaults "
        "(see clinical/appointments.py).",
    )
    message_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="Reminder hours, quiet hours and questionnaire links overriding the defaults "
        "(see messaging/rules.py).",
    )
    billing_settings = models.JSONField(
        default=dict,
        blank=True,
        help_text="NPI, tax id, fees and the clinic's codes per product (clinical/billing.py).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClinicSettingsChange(models.Model):
    """One version of a clinic's clinical settings (chair thresholds, eligibility rules,
    remission cut-offs): who changed them, when, why, and what they were before and after.
    Rows are only ever added; the clinic's own fields hold the version in force."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="settings_changes")
    version = models.PositiveIntegerField()
    before = models.JSONField()
    after = models.JSONField()
    reason = models.CharField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "version"], name="clinic_settings_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic} settings v{self.version}"


class User(AbstractUser):
    """A person who logs in: staff or a patient using the portal."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chair_pin = models.CharField(
        max_length=128, blank=True, help_text="Hashed PIN that unlocks a locked chair screen"
    )

    def memberships_active(self) -> models.QuerySet[Membership]:
        return self.active_memberships_query(self.pk)

    @staticmethod
    def active_memberships_query(user_id: Any) -> models.QuerySet[Membership]:
        return (
            Membership.objects.filter(user_id=user_id, is_active=True, clinic__isnull=False)
            .select_related("clinic")
            .order_by("clinic__name")
        )

    @cached_property
    def active_memberships(self) -> list[Membership]:
        """This user's active memberships, read once per request (the user is loaded anew for
        every request, so a change of role applies from the next one)."""
        return ACTIVE_MEMBERSHIPS(self.pk)

    def membership_in(self, clinic_id: uuid.UUID | str) -> Membership | None:
        for membership in self.active_memberships:
            if str(membership.clinic_id) == str(clinic_id):
                return membership
        return None

    def role_in(self, clinic_id: uuid.UUID | str) -> Role | None:
        membership = self.membership_in(clinic_id)
        return Role(membership.role) if membership else None

    @property
    def is_clinic_staff(self) -> bool:
        return any(Role(m.role) in STAFF_ROLES for m in self.active_memberships)


class Membership(models.Model):
    """A user's role in one clinic. Deactivating it ends their access to that clinic."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "clinic"], name="membership_one_role_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.username} @ {self.clinic.name} ({self.role})"


def hash_token(raw: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 pass is enough: no dictionary to attack."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the raw token is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="First characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_from_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a row of an append-only log."""


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the access log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the access log is append-only")


class AccessLog(models.Model):
    """Who read or wrote which patient's data, when and from where (HIPAA 164.312(b)).

    Append-only: the model refuses updates and deletes, and the database refuses them too
    (triggers installed by migration 0002).
    """

    class Action(models.TextChoices):
        LIST = "list", "List or search"
        READ = "read", "Read"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        ENTERED_IN_ERROR = "entered_in_error", "Marked entered in error"
        EXPORT = "export", "Export"
        LOGIN = "login", "Log in"
        LOGOUT = "logout", "Log out"
        DENIED = "denied", "Denied"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=20, blank=True)
    clinic = models.ForeignKey(Clinic, null=True, on_delete=models.PROTECT, related_name="+")
    patient_id = models.UUIDField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    what = models.CharField(max_length=200, help_text="The record or screen, e.g. patient.chart")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    via = models.CharField(max_length=10, blank=True, help_text="web, api or cli")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["clinic", "-at"], name="accesslog_clinic_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.what}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the access log is append-only")


# Every request reads the memberships of the user who makes it (compiled_sql: why).
ACTIVE_MEMBERSHIPS = CompiledRead(User.active_memberships_query)
