"""What the account screens and the API read: the access log, a person's API tokens, the
clinic's settings versions and its prescribers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import QuerySet

from ketamine_clinic.accounts.models import AccessLog, ApiToken, Clinic, ClinicSettingsChange, User
from ketamine_clinic.accounts.roles import STAFF_ROLES, Capability, Role, can


def access_log(
    clinic: Clinic,
    *,
    username: str = "",
    patient: Any = None,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AccessLog]:
    """The clinic's access log, newest first, narrowed by whatever the admin filled in (the
    days are whole UTC days, as the log stores them)."""
    rows = AccessLog.objects.filter(clinic=clinic).select_related("user")
    if username:
        rows = rows.filter(username__iexact=username)
    if patient:
        rows = rows.filter(patient_id=patient)
    if action:
        rows = rows.filter(action=action)
    if since:
        rows = rows.filter(at__gte=datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        rows = rows.filter(at__lte=datetime.combine(until, time.max, tzinfo=UTC))
    return rows


def tokens_of(user: User, limit: int = 100) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user)[:limit])


def token_of(user: User, token_id: Any) -> ApiToken | None:
    """One of the person's own tokens (None for anyone else's)."""
    return ApiToken.objects.filter(pk=token_id, user=user).first()


def staff_who_can(clinic: Clinic, capability: Capability) -> list[User]:
    """The clinic's active staff whose role may do this (the witnesses a consent may have)."""
    roles = [role for role in STAFF_ROLES if can(role, capability)]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__clinic=clinic,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def clinic_token(clinic: Clinic, token_id: Any) -> ApiToken | None:
    """One token of someone who works in the clinic (None for anyone else's)."""
    return (
        ApiToken.objects.filter(
            pk=token_id, user__memberships__clinic=clinic, user__memberships__is_active=True
        )
        .distinct()
        .first()
    )


def clinic_tokens(clinic: Clinic, limit: int = 200) -> list[ApiToken]:
    """The API tokens of everyone who works in the clinic, newest first, for its admin."""
    return list(
        ApiToken.objects.filter(user__memberships__clinic=clinic, user__memberships__is_active=True)
        .select_related("user")
        .distinct()[:limit]
    )


def settings_versions(clinic: Clinic, limit: int = 50) -> QuerySet[ClinicSettingsChange]:
    """The clinic's settings, every version, with who made it."""
    return clinic.settings_changes.select_related("created_by")[:limit]


def prescribers(clinic: Any) -> QuerySet[User]:
    """The clinic's prescribers, by surname (a report's filter)."""
    return User.objects.filter(
        memberships__clinic=clinic, memberships__role=Role.PRESCRIBER
    ).order_by("last_name")
