"""How an API request says who it is: a bearer token (scripts, integrations) or the browser's
login session with its CSRF token. Shared by the JSON API and the FHIR endpoints."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from ketamine_clinic.accounts.authn import user_for_token
from ketamine_clinic.accounts.models import User


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = user_for_token(token)
        if found is None:
            return None
        user, api_token = found
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]  # lets a client revoke itself
        return user


class SessionCookie(APIKeyCookie):
    """The browser's login session; unsafe methods need the CSRF token as for any form."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie means "not logged in" (401), not a failed CSRF check (403).
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if isinstance(user, User) and user.is_active else None
