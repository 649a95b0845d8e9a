"""django-oauth-toolkit, taught SMART App Launch's launch context: the patient an app was
opened for travels from the authorization code to its access token (and to each token a
refresh brings), and comes back in the token response as `patient`.

The OAuth itself (PKCE, codes, token storage, rotation, revocation) is the library's.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request
from oauthlib.oauth2 import Server

from ketamine_clinic.interop.models import SmartContext
from ketamine_clinic.interop.smart import queries, scopes

# The attribute of oauthlib's request that carries the patient between the steps.
PATIENT = "smart_patient"


class SmartValidator(OAuth2Validator):
    def validate_scopes(
        self, client_id: str, asked: list[str], client: Any, request: Request, *args: Any,
        **kwargs: Any,
    ) -> bool:  # fmt: skip
        """Grant the scopes offered, leave out the others; refuse only when none is left."""
        request.scopes = scopes.granted(asked)
        return bool(request.scopes)

    def _create_authorization_code(self, request: Request, code: Any, expires: Any = None) -> Any:
        grant = super()._create_authorization_code(request, code, expires)
        patient = getattr(request, PATIENT, None)
        if patient:
            SmartContext.objects.create(grant=grant, patient_id=patient)
        return grant

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        patient = (
            SmartContext.objects.filter(grant__code=code, grant__application=client)
            .values_list("patient_id", flat=True)
            .first()
        )
        setattr(request, PATIENT, str(patient) if patient else None)
        return True

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        previous = request.refresh_token_instance.access_token
        setattr(request, PATIENT, queries.token_patient(previous) if previous else None)
        return True

    def _create_access_token(
        self,
        expires: Any,
        request: Request,
        token: dict[str, Any],
        source_refresh_token: Any = None,
    ) -> AccessToken:
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        patient = getattr(request, PATIENT, None)
        if patient:
            SmartContext.objects.create(access_token=access_token, patient_id=patient)
        return access_token


def launch_context(token: dict[str, Any], token_handler: Any, request: Request) -> dict[str, Any]:
    """The token response as SMART App Launch 2.0.0 ("Response for a successful access token
    request") has it: the patient in context, and a refresh token only if one was asked for
    (`offline_access` or `online_access`)."""
    patient = getattr(request, PATIENT, None)
    if patient:
        token["patient"] = patient
        token["need_patient_banner"] = True  # the app shows whose record it is
    granted = set(str(token.get("scope", "")).split())
    if not granted & {scopes.OFFLINE, scopes.ONLINE}:
        token.pop("refresh_token", None)
    return token


class SmartServer(Server):
    """oauthlib's server, with the launch context added to every token it issues."""

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request_validator, *args, **kwargs)
        self.auth_grant.register_token_modifier(launch_context)
        self.refresh_grant.register_token_modifier(launch_context)
