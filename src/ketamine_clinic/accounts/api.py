"""Tokens and "who am I" for API clients."""

import uuid

from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from ketamine_clinic.accounts import queries
from ketamine_clinic.accounts.authn import (
    check_credentials,
    issue_token,
    otp_required_for,
    revoke_token,
)
from ketamine_clinic.accounts.clientip import client_ip
from ketamine_clinic.accounts.models import ApiToken, User
from ketamine_clinic.accounts.schemas import (
    MembershipOut,
    MeOut,
    TokenInfo,
    TokenOut,
    TokenRequest,
)
from ketamine_clinic.common.api_contract import Error

router = Router(tags=["auth"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]  # set by the API's authenticators
    if not isinstance(user, User):
        raise HttpError(401, "Unauthorized")
    return user


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: Error, 403: Error, 429: Error},
    summary="Exchange username, password (and authenticator code) for a bearer token",
)
def create_token(request: HttpRequest, payload: TokenRequest) -> TokenOut:
    result = check_credentials(request, payload.username, payload.password, payload.otp)
    if result.problem == "locked":
        raise HttpError(429, result.message)
    if result.user is None:
        status = 401 if result.problem in {"invalid", "otp_required", "otp_invalid"} else 403
        raise HttpError(status, result.message)
    if result.device is None and otp_required_for(result.user):
        raise HttpError(
            403, "Your clinic requires a second factor: set it up in the web app first."
        )
    issued = issue_token(result.user, client_ip(request))
    return TokenOut(token=issued.token, token_id=issued.record.pk, expires_at=issued.expires_at)


@router.get("/auth/tokens", response=list[TokenInfo], summary="Your API tokens")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return queries.tokens_of(_user(request))


@router.post(
    "/auth/tokens/{token_id}/revoke",
    response={204: None},
    summary="Revoke one of your tokens (it stops working at once)",
)
def revoke(request: HttpRequest, token_id: uuid.UUID) -> Status:
    token = queries.token_of(_user(request), token_id)
    if token is None:
        raise Http404("no such token")
    revoke_token(token)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="Who you are and your role in each clinic")
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    record = getattr(user, "patient_record", None)
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.get_full_name(),
        memberships=[
            MembershipOut(clinic=m.clinic_id, clinic_name=m.clinic.name, role=m.role)
            for m in user.active_memberships
        ],
        patient_id=record.pk if record is not None else None,
    )
