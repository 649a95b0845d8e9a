"""A SMART app as the tests drive it: registered by the clinic's owner, signing its user in
with the authorization code grant and PKCE (S256), then trading the code for a token."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.interop.models import SmartApp
from ketamine_clinic.interop.smart import actions
from tests.conftest import World

REDIRECT = "https://app.example.org/callback"
LAUNCH_URL = "https://app.example.org/launch"
AUD = "http://testserver/fhir"


def register_app(world: World, *, confidential: bool = False, launch_url: str = LAUNCH_URL,
                 redirect: str = REDIRECT) -> actions.Registered:  # fmt: skip
    return actions.register_app(
        Actor(user=world.users["admin"], via="cli"), world.clinic, name="Mood Tracker",
        redirect_uris=[redirect], launch_url=launch_url, confidential=confidential,
    )  # fmt: skip


@dataclass
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


def asking(app: SmartApp, scope: str, pkce: Pkce, **extra: str) -> dict[str, str]:
    """The authorization request's parameters, as an app sends them."""
    return {
        "response_type": "code", "client_id": app.application.client_id,
        "redirect_uri": REDIRECT, "scope": scope, "state": "st-123", "aud": AUD,
        "code_challenge": pkce.challenge, "code_challenge_method": "S256", **extra,
    }  # fmt: skip


def redirected(response: Any) -> dict[str, str]:
    """The query the sign-in sent the browser back to the app with."""
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(REDIRECT), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def allow(client: Client, params: dict[str, str], patient: Any = None) -> dict[str, str]:
    """The person allows the app (choosing a patient if asked); the app's redirect query."""
    shown = client.get(f"/oauth/authorize/?{urlencode(params)}")
    assert shown.status_code == 200, shown.content[:800]
    form = {**params, "allow": "Allow"}
    if patient is not None:
        form["patient"] = str(patient)
    return redirected(client.post("/oauth/authorize/", form))


def token(app: SmartApp, code: str, pkce: Pkce, secret: str | None = None) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": app.application.client_id, "code_verifier": pkce.verifier}  # fmt: skip
    if secret:
        data["client_secret"] = secret
    return Client().post("/oauth/token/", data)


def sign_in(client: Client, app: SmartApp, scope: str, patient: Any = None,
            **extra: str) -> dict[str, Any]:  # fmt: skip
    """The whole dance; the token response's JSON."""
    pkce = Pkce.new()
    back = allow(client, asking(app, scope, pkce, **extra), patient)
    assert back.get("state") == "st-123"
    answer = token(app, back["code"], pkce)
    assert answer.status_code == 200, answer.content
    return answer.json()


def fhir(token_value: str, path: str) -> Any:
    return Client().get(f"/fhir/{path}", headers={"Authorization": f"Bearer {token_value}"})
