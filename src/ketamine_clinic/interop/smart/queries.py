"""The reads of SMART App Launch that the screens, the sign-in page and the FHIR server share."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ketamine_clinic.interop.models import SmartApp, SmartContext, SmartLaunch


def apps_of(clinic_id: Any) -> QuerySet[SmartApp]:
    return (
        SmartApp.objects.filter(clinic_id=clinic_id)
        .select_related("application")
        .order_by("application__name")
    )


def app_for_client(client_id: str) -> SmartApp | None:
    return SmartApp.objects.filter(application__client_id=client_id).first()


def live_launch(launch_id: str, app: SmartApp, user: Any) -> SmartLaunch | None:
    """The launch this person's chart made for this app, if unused and in time."""
    try:
        key = uuid.UUID(launch_id)
    except (TypeError, ValueError):
        return None
    return (
        SmartLaunch.objects.filter(
            pk=key, app=app, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("patient")
        .first()
    )


def token_patient(access_token: Any) -> str | None:
    """The patient an access token was granted for (None: no patient in context)."""
    found = SmartContext.objects.filter(access_token=access_token).values_list(
        "patient_id", flat=True
    )
    patient = next(iter(found), None)
    return str(patient) if patient else None
