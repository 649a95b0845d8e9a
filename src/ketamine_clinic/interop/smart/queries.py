"""The reads of SMART App Launch that the screens, the sign-in page and the FHIR server share."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from ketamine_clinic.interop.models import SmartApp, SmartContext, SmartLaunch
from ketamine_clinic.patients.models import Patient


def apps_of(clinic_id: Any) -> QuerySet[SmartApp]:
    return (
        SmartApp.objects.filter(clinic_id=clinic_id)
        .select_related("application")
        .order_by("application__name")
    )


def app_for_client(client_id: str) -> SmartApp | None:
    return SmartApp.objects.filter(application__client_id=client_id).first()


def live_launches(launch_id: str, app: SmartApp, user: Any) -> QuerySet[SmartLaunch]:
    """The launch this person's chart made for this app, if unused and in time (none for an
    id that is not a launch's)."""
    try:
        key = uuid.UUID(launch_id)
    except (TypeError, ValueError):
        return SmartLaunch.objects.none()
    return SmartLaunch.objects.filter(
        pk=key, app=app, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    )


def live_launch(launch_id: str, app: SmartApp, user: Any) -> SmartLaunch | None:
    return live_launches(launch_id, app, user).select_related("patient").first()


def token_patient(access_token: Any) -> str | None:
    """The patient an access token was granted for (None: no patient in context)."""
    found = SmartContext.objects.filter(access_token=access_token).values_list(
        "patient_id", flat=True
    )
    patient = next(iter(found), None)
    return str(patient) if patient else None


@dataclass
class Connection:
    """An app a person has allowed and that can still read: their Connected apps page."""

    application_id: int
    name: str
    scopes: set[str] = field(default_factory=set)
    patients: set[Patient] = field(default_factory=set)
    until: datetime | None = None  # None: until disconnected (it holds a refresh token)


def connected(user: Any) -> list[Connection]:
    """The apps holding a live token of this person, each once, by name."""
    refreshable = set(
        RefreshToken.objects.filter(user=user, revoked__isnull=True).values_list(
            "application_id", flat=True
        )
    )
    live = (
        AccessToken.objects.filter(user=user, expires__gt=timezone.now(), application__isnull=False)
        .select_related("application", "smart_context__patient")
        .order_by("expires")
    )
    found: dict[int, Connection] = {}
    for token in live:
        app_id, application = token.application_id, token.application
        if app_id is None or application is None:  # not so: filtered above
            continue
        one = found.setdefault(app_id, Connection(app_id, application.name))
        one.scopes.update(token.scope.split())
        # Read with the token (select_related); none when no patient is in context (a missing
        # reverse one-to-one raises an AttributeError).
        context = getattr(token, "smart_context", None)
        if context is not None:
            one.patients.add(context.patient)
        one.until = None if app_id in refreshable else token.expires
    return sorted(found.values(), key=lambda c: c.name)
