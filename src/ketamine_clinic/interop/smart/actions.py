"""The writes of SMART App Launch: a clinic registers an app, a chart opens it (an EHR
launch), the app trades the launch for its patient. Each owns its transaction and its row
in the access log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken
from oauth2_provider.settings import oauth2_settings

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.interop.models import SmartApp, SmartLaunch
from ketamine_clinic.interop.smart import queries
from ketamine_clinic.patients.access import PatientAccess, record_patient_access

# An EHR launch is used at once, by the browser the chart just sent to the app; five minutes
# covers a slow app's sign-in page without leaving a usable launch lying about.
LAUNCH_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class Registered:
    app: SmartApp
    client_secret: str | None  # shown once, for a confidential app; only its hash is kept


def origin_of(address: str) -> str:
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"


def _web_address(field: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in schemes or not parts.netloc:
        raise InvalidInput(field, f"must be a full web address starting {' or '.join(schemes)}:")
    if parts.fragment:
        raise InvalidInput(field, "must not have a #fragment")
    return value.strip()


@transaction.atomic
def register_app(
    actor: Actor, clinic: Clinic, *, name: str, redirect_uris: list[str], launch_url: str = "",
    confidential: bool = False,
) -> Registered:  # fmt: skip
    """A new app for this clinic. A public app (in a browser or on a phone) keeps no secret
    and proves itself with PKCE; a confidential one (on a server) also gets a secret."""
    name = name.strip()
    if not name:
        raise InvalidInput("name", "is required")
    schemes = tuple(oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES)  # https only in production
    if not redirect_uris:
        raise InvalidInput("redirect_uris", "at least one is required")
    uris = [_web_address("redirect_uris", u, schemes) for u in redirect_uris]
    launch = _web_address("launch_url", launch_url, schemes) if launch_url.strip() else ""
    secret = secrets.token_urlsafe(40) if confidential else None
    application = Application.objects.create(
        name=name,
        user=actor.user,
        client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(uris),
        # A browser app reads from the origin it is sent back to (CORS, origins.py).
        allowed_origins=" ".join(sorted({origin_of(u) for u in uris})),
        client_secret=secret or "",
        skip_authorization=False,  # every authorization is confirmed by the person
    )
    app = SmartApp.objects.create(
        application=application, clinic=clinic, launch_url=launch, registered_by=actor.user
    )
    record_access(actor, action="create", what=f"SMART app {name} registered", clinic=clinic)
    return Registered(app, secret)


@transaction.atomic
def start_launch(actor: Actor, access: PatientAccess, app: SmartApp) -> SmartLaunch:
    """An EHR launch from this patient's chart: the app is opened with a `launch` value that
    stands for this patient, this person and this app, once."""
    if app.clinic_id != access.patient.clinic_id:
        raise InvalidInput("app", "is not registered by this patient's clinic")
    if not app.launch_url:
        raise InvalidInput("app", "has no launch address: it starts on its own")
    now = timezone.now()
    launch = SmartLaunch.objects.create(
        app=app, user=actor.user, patient=access.patient, created_at=now,
        expires_at=now + LAUNCH_LIFETIME,
    )  # fmt: skip
    record_patient_access(actor, access, "export", f"SMART app {app.application.name} opened")
    return launch


@transaction.atomic
def claim_launch(launch_id: str, app: SmartApp, user: Any) -> bool:
    """The launch is spent as the person allows the app, in one conditional update: of two
    allowances racing for it, one gets it and the other is refused."""
    return queries.live_launches(launch_id, app, user).update(used_at=timezone.now()) == 1


@transaction.atomic
def disconnect(actor: Actor, application_id: int) -> int:
    """The person takes back what they allowed this app: every token it holds for them stops
    working at once. Answers how many tokens were revoked."""
    mine = {"user": actor.user, "application_id": application_id}
    refresh = list(RefreshToken.objects.filter(**mine, revoked__isnull=True))
    for token in refresh:
        token.revoke()  # its access token goes with it
    access = AccessToken.objects.filter(**mine)
    revoked = len(refresh) + access.count()
    access.delete()
    Grant.objects.filter(**mine).delete()
    app = SmartApp.objects.filter(application_id=application_id).first()
    name = app.application.name if app else str(application_id)
    record_access(actor, action="update", what=f"SMART app {name} disconnected",
                  clinic=app.clinic_id if app else None)  # fmt: skip
    return revoked


@transaction.atomic
def remove_app(actor: Actor, app: SmartApp) -> None:
    """The clinic stops trusting an app: it is unregistered, and every token, code and launch
    it holds goes with it, so it reads nothing more. The access log keeps that it was."""
    name, clinic_id = app.application.name, app.clinic_id
    app.application.delete()  # its SmartApp, tokens, codes and launches cascade
    record_access(actor, action="update", what=f"SMART app {name} removed", clinic=clinic_id)
