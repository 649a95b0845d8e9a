"""What a SMART app's token lets the FHIR server answer. The app reads on behalf of the
person who allowed it, so the person's own rules hold first (their clinics, their role, a
patient their own record); the token's scopes narrow that further (a resource type, an
interaction, the one patient in context), and so does the app's clinic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from oauth2_provider.contrib.ninja.security import HttpOAuth2

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.requests import request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.interop.models import SmartApp
from ketamine_clinic.interop.smart import queries
from ketamine_clinic.interop.smart.scopes import Grants
from ketamine_clinic.patients.access import (
    PatientAccess,
    get_patient_for_user,
    record_patient_access,
)


@dataclass(frozen=True)
class AppAccess:
    grants: Grants
    clinic_id: uuid.UUID
    name: str


class SmartToken(HttpOAuth2):
    """An access token from /oauth/token/, checked by django-oauth-toolkit (unexpired,
    unrevoked, its app still registered) and read into the app's grants."""

    def authenticate(self, request: HttpRequest, access_token: Any) -> Any:
        app = SmartApp.objects.filter(application=access_token.application_id).first()
        user = access_token.user
        if app is None or user is None or not user.is_active:
            return None
        request.smart = AppAccess(  # type: ignore[attr-defined]
            Grants.of(access_token.scope, queries.token_patient(access_token)),
            app.clinic_id,
            access_token.application.name,
        )
        return access_token


def of(request: HttpRequest) -> AppAccess | None:
    """The app asking, or None when a person or a script with an API token asks."""
    return getattr(request, "smart", None)


def actor(request: HttpRequest) -> Actor:
    """Who the access log names: the person, through the app (`via` "app") if one asks."""
    return Actor.from_request(request, "app" if of(request) else "api")


def what(request: HttpRequest, text: str) -> str:
    app = of(request)
    return f"{text} by app {app.name}" if app else text


def record(request: HttpRequest, access: PatientAccess, action: str, text: str) -> None:
    """The access-log row of a FHIR read of this patient: the person, through the app if one
    asks."""
    record_patient_access(actor(request), access, action, what(request, text))


def refuse_apps(request: HttpRequest, what: str) -> None:
    if of(request) is not None:
        raise PermissionDenied(f"{what} is not open to SMART apps: use an API token")


def check(request: HttpRequest, kind: str, interaction: str, patient_id: Any) -> None:
    """403 unless the app's scopes allow this interaction on this type for this patient."""
    app = of(request)
    if app is None or app.grants.allows(kind, interaction, patient_id):
        return
    if app.grants.reach(kind, interaction) is None:
        raise PermissionDenied(f"this app was not granted {interaction} of {kind}")
    raise PermissionDenied("this app may read only the patient it was opened for")


def patient(
    request: HttpRequest, patient_id: Any, capability: Capability, kind: str, interaction: str
) -> PatientAccess:
    """The person's access to this patient, narrowed by the app's grants and clinic."""
    check(request, kind, interaction, patient_id)
    return _in_app_clinic(
        request, get_patient_for_user(request_user(request), patient_id, capability)
    )


def everything(request: HttpRequest, patient_id: Any, kinds: tuple[str, ...]) -> PatientAccess:
    """$everything: an app must be granted reading some of these types of this patient."""
    if not any(readable(request, kind, patient_id) for kind in kinds):
        raise PermissionDenied("this app was granted no reading of this patient's records")
    return _in_app_clinic(
        request, get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    )


def _in_app_clinic(request: HttpRequest, access: PatientAccess) -> PatientAccess:
    app = of(request)
    if app is not None and access.patient.clinic_id != app.clinic_id:
        raise Http404("no such patient")
    return access


def readable(request: HttpRequest, kind: str, patient_id: Any) -> bool:
    """Whether the app may read resources of this type of this patient (always, for no app)."""
    app = of(request)
    return app is None or app.grants.allows(kind, "read", patient_id)
