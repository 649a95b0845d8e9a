"""The open safety alerts of the clinic, as a count on every page for the staff who answer
them, and where they land after logging in: an alert must not wait for someone to open the
dashboard.

The count is kept in the cache for half a minute (no query on most pages) and forgotten the
moment an alert is raised or acknowledged."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.assessments.models import SafetyAlert

KEEP_SECONDS = 30


def _key(clinic_id: Any) -> str:
    return f"kc:open-alerts:{clinic_id}"


def open_alert_count(clinic_id: Any) -> int:
    count = cache.get(_key(clinic_id))
    if count is None:
        count = SafetyAlert.objects.filter(
            clinic_id=clinic_id, acknowledged_at__isnull=True
        ).count()
        cache.set(_key(clinic_id), count, KEEP_SECONDS)
    return int(count)


def forget(clinic_id: Any) -> None:
    """Now, and again once the transaction that raised or acknowledged an alert commits (a
    page drawn in between may have counted the old state)."""
    cache.delete(_key(clinic_id))
    transaction.on_commit(lambda: cache.delete(_key(clinic_id)))


def badge(request: HttpRequest) -> dict[str, Any]:
    """Template context: `open_alerts` for the roles that answer alerts, else nothing."""
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.VIEW_ALERTS):
        return {}
    return {"open_alerts": open_alert_count(membership.clinic_id)}


def lands_on_alerts(clinic_id: Any, role: str) -> bool:
    return can(role, Capability.VIEW_ALERTS) and open_alert_count(clinic_id) > 0
