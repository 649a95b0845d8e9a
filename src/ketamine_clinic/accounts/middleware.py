"""Session limits, second-factor enforcement and no-store caching for every page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from ketamine_clinic.accounts import kiosk
from ketamine_clinic.accounts.authn import otp_required_for
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.screen_lock import LOCKED_KEY, OPEN_WHILE_LOCKED, watching

Handler = Callable[[HttpRequest], HttpResponse]
LOGOUT_REASON_KEY = "kc_logout_reason"
LOGIN_AT_KEY = "kc_login_at"
LAST_SEEN_KEY = "kc_last_seen"
# Requests that refresh the screen on their own (polling) send this header so they do not
# count as activity and cannot keep an unattended screen logged in.
BACKGROUND_HEADER = "X-KC-Background"
# Activity is noted to the quarter-minute: the idle logout may come up to 15 s late, and a
# busy user's session is not written back to the store on every click.
LAST_SEEN_RESOLUTION_S = 15


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def start_session_clock(request: HttpRequest) -> None:
    """Called right after login: both limits count from this moment."""
    now = timezone.now().timestamp()
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now


class SessionLimitsMiddleware:
    """Log out after KC_IDLE_MINUTES without activity and KC_SESSION_MAX_HOURS after login."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and "_auth_user_id" in request.session:
            now = timezone.now().timestamp()
            session = request.session
            login_at = session.setdefault(LOGIN_AT_KEY, now)
            last_seen = session.get(LAST_SEEN_KEY, login_at)
            idle = now - last_seen > settings.KC_IDLE_TIMEOUT.total_seconds()
            too_old = now - login_at > settings.KC_SESSION_MAX_AGE.total_seconds()
            background = request.headers.get(BACKGROUND_HEADER) == "1"
            if idle and not too_old and watching(session, now):
                session[LOCKED_KEY] = True  # the chair's screen locks, and keeps its clock
            elif idle or too_old:
                logout(request)
                request.session[LOGOUT_REASON_KEY] = "idle" if idle else "max_age"
                if _is_api(request):
                    return JsonResponse({"detail": "Session expired; log in again."}, status=401)
                return self.get_response(request)
            if session.get(LOCKED_KEY):
                if background or request.path.startswith(OPEN_WHILE_LOCKED):
                    return self.get_response(request)
                if _is_api(request):
                    return JsonResponse({"detail": "The screen is locked: unlock it."}, status=401)
                return redirect(f"{reverse('lock')}?{urlencode({'next': request.path})}")
            if not background and now - last_seen >= LAST_SEEN_RESOLUTION_S:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Staff whose clinic requires a second factor reach nothing until they have used one."""

    EXEMPT_PREFIXES = ("/account/two-factor", "/logout", "/login", "/static/", "/healthz")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and not user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
            and otp_required_for(user)
        ):
            if _is_api(request):
                return JsonResponse(
                    {"detail": "Your clinic requires a second factor: set it up in the web app."},
                    status=403,
                )
            return redirect("two_factor")
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing this app serves besides static files may sit in a browser or proxy cache."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class KioskMiddleware:
    """A session in kiosk mode opens only the patient's task and the hand-back page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = kiosk.state(request) if hasattr(request, "session") else None
        if found is not None and not kiosk.allows(found, request.path):
            if _is_api(request) or request.path.startswith("/fhir/"):
                return JsonResponse({"detail": "this tablet is in kiosk mode"}, status=403)
            return redirect(found["home"])
        return self.get_response(request)
