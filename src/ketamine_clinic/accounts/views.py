"""Login, logout, second factor, clinic switch, and the audit log screen."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from ketamine_clinic.accounts import clinic_settings, queries, screen_lock
from ketamine_clinic.accounts.audit import Actor, record_in_each_clinic
from ketamine_clinic.accounts.authn import (
    check_credentials,
    confirm_device,
    confirmed_device,
    device_to_enrol,
    issue_token,
    revoke_token,
)
from ketamine_clinic.accounts.backends import BACKEND
from ketamine_clinic.accounts.clientip import client_ip
from ketamine_clinic.accounts.current import choose_clinic as set_current_clinic
from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.forms import (
    AccessLogFilterForm,
    ClinicSettingsForm,
    LoginForm,
    NewTokenForm,
    OtpForm,
    PinForm,
    UnlockForm,
)
from ketamine_clinic.accounts.middleware import LOGOUT_REASON_KEY, start_session_clock
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import STAFF_ROLES, Capability, can
from ketamine_clinic.clinical.vital_signs import THRESHOLD_LABELS, thresholds
from ketamine_clinic.common.ids import parse_uuid

LOGOUT_MESSAGES = {
    "idle": "You were logged out after a period without activity.",
    "max_age": "Your session reached its maximum length. Please log in again.",
    "lock": "Too many wrong PINs at a locked screen: log in again.",
}


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    reason = request.session.pop(LOGOUT_REASON_KEY, None)
    form = LoginForm(request.POST or None)
    show_otp = False
    if request.method == "POST" and form.is_valid():
        result = check_credentials(
            request,
            form.cleaned_data["username"],
            form.cleaned_data["password"],
            form.cleaned_data["otp"],
        )
        if result.user is not None:
            login(request, result.user, backend=BACKEND)
            start_session_clock(request)
            if result.device is not None:
                otp_login(request, result.device)
            record_in_each_clinic(
                Actor.from_request(request, "web"), action="login", what="session"
            )
            return redirect(_safe_next(request))
        show_otp = result.problem in {"otp_required", "otp_invalid"}
        form.add_error("otp" if show_otp else None, result.message)
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "show_otp": show_otp,
            "next": request.GET.get("next", ""),
            "logout_message": LOGOUT_MESSAGES.get(reason or ""),
        },
    )


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Lockout answer for django-axes: JSON for the API, a page for people."""
    message = "Too many failed attempts. Try again later or ask your clinic admin."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        record_in_each_clinic(Actor.from_request(request, "web"), action="logout", what="session")
    logout(request)
    return redirect("login")


@login_required
@require_POST
def choose_clinic(request: HttpRequest) -> HttpResponse:
    if not set_current_clinic(request, request.POST.get("clinic", "")):
        raise PermissionDenied("not a member of that clinic")
    return redirect("home")


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify an enrolled authenticator, or enrol one (QR code, then a code to confirm it)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    device = confirmed_device(user)
    if device is not None and user.is_verified():  # type: ignore[attr-defined]  # OTPMiddleware
        return render(request, "accounts/two_factor.html", {"already_set_up": True})
    enrolling = device is None
    if device is None:
        device = device_to_enrol(user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp"].replace(" ", "")):
            if enrolling:
                confirm_device(device)
                messages.success(request, "Authenticator app set up. You will need it to log in.")
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("otp", "That code is wrong or expired. Check the time on your phone.")
    context: dict[str, Any] = {"form": form, "enrolling": enrolling}
    if enrolling:
        qr = segno.make(device.config_url, error="m")
        context["qr_data_uri"] = qr.svg_data_uri(scale=4)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/two_factor.html", context)


@login_required
def unlock(request: HttpRequest) -> HttpResponse:
    """The locked chair screen: the nurse's PIN (or password) opens it again; five wrong ones
    end the session."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    target = _safe_next(request)
    if not screen_lock.is_locked(request):
        return redirect(target)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if screen_lock.unlocks(user, form.cleaned_data["secret"]):
            for key in (screen_lock.LOCKED_KEY, screen_lock.FAILS_KEY):
                request.session.pop(key, None)
            start_session_clock(request)  # the idle clock starts again; login time is kept
            return redirect(target)
        fails = int(request.session.get(screen_lock.FAILS_KEY, 0)) + 1
        if fails >= screen_lock.MAX_FAILS:
            record_in_each_clinic(Actor.from_request(request, "web"), action="logout", what="lock")
            logout(request)
            request.session[LOGOUT_REASON_KEY] = "lock"
            return redirect("login")
        request.session[screen_lock.FAILS_KEY] = fails
        form.add_error("secret", f"Wrong. {screen_lock.MAX_FAILS - fails} tries left.")
    return render(
        request,
        "accounts/locked.html",
        {"form": form, "next": target, "has_pin": bool(user.chair_pin)},
    )


@login_required
def chair_pin(request: HttpRequest) -> HttpResponse:
    """Set the PIN that unlocks a locked chair screen (confirmed with the password)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        else:
            screen_lock.set_pin(user, form.cleaned_data["pin"])
            record_in_each_clinic(Actor.from_request(request, "web"), action="update", what="pin")
            messages.success(request, "PIN set: it unlocks a locked chair screen.")
            return redirect("home")
    return render(request, "accounts/pin.html", {"form": form, "has_pin": bool(user.chair_pin)})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """A staff member's own API tokens: make one (shown once), see when each was last used,
    revoke it. A clinic admin also sees and revokes the tokens of everyone in the clinic."""
    membership = current_membership(request)
    if membership is None or membership.role not in STAFF_ROLES:
        raise PermissionDenied("API tokens are for staff")
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # login_required guarantees it
    actor = Actor.from_request(request, "web")
    admin = can(membership.role, Capability.MANAGE_USERS)
    form = NewTokenForm(request.POST if request.POST.get("step") == "new" else None)
    issued = None
    if request.method == "POST" and request.POST.get("step") == "revoke":
        token_id = parse_uuid(request.POST.get("token"))
        token = None
        if token_id is not None:
            token = queries.token_of(user, token_id) or (
                queries.clinic_token(membership.clinic, token_id) if admin else None
            )
        if token is None:
            raise Http404("no such token")
        revoke_token(token)
        record_in_each_clinic(actor, action="update", what=f"api token {token.prefix} revoked")
        messages.success(request, f"Token {token.prefix}… revoked: it stops working at once.")
        return redirect("api_tokens")
    if form.is_bound and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        else:
            issued = issue_token(user, client_ip(request))
            record_in_each_clinic(actor, action="create", what=f"api token {issued.record.prefix}")
            form = NewTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": queries.tokens_of(user),
            "clinic_tokens": [
                t for t in queries.clinic_tokens(membership.clinic) if t.user_id != user.pk
            ]
            if admin
            else None,
            "now": timezone.now(),
        },
    )


def _lines(settings: dict[str, Any], key: str = "") -> str:
    """Settings as the KEY=VALUE lines the form and the command line take."""
    lines = []
    for name, value in sorted(settings.items()):
        if name == "severity_overrides":
            lines += [f"rule.{code}={severity}" for code, severity in sorted(value.items())]
        elif isinstance(value, list):
            lines.append(f"{name}={'/'.join(map(str, value))}")
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The clinic's clinical settings, their versions, and a change with its reason (admins).
    A line KEY=VALUE sets a setting; a setting left out goes back to the library's default."""
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.MANAGE_USERS):
        raise PermissionDenied("only a clinic admin changes the clinic's settings")
    clinic = membership.clinic
    current = clinic_settings.snapshot(clinic)
    form = ClinicSettingsForm(
        request.POST or None,
        initial={
            "session": _lines(current["session_settings"]),
            "eligibility": _lines(current["eligibility_settings"]),
            "remission": _lines(current["remission_thresholds"]),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        box = "session"  # the text box a refusal belongs beside
        try:
            session = clinic_settings.apply_session({}, data["session"])
            box = "eligibility"
            eligibility = clinic_settings.apply_eligibility({}, data["eligibility"])
            box = "remission"
            remission = clinic_settings.apply_remission({}, data["remission"])
            box = "reason"
            after = {
                **current,
                "session_settings": session,
                "eligibility_settings": eligibility,
                "remission_thresholds": remission,
            }
            version = clinic_settings.change(
                Actor.from_request(request, "web"), clinic, after, data["reason"]
            )
        except clinic_settings.SettingsError as exc:
            form.add_error(box, f"{exc.field.replace('_', ' ')}: {exc.message}")
        else:
            messages.success(
                request,
                f"Settings version {version.version} in force." if version else "Nothing changed.",
            )
            return redirect("clinic_settings")
    record_in_each_clinic(Actor.from_request(request, "web"), action="read", what="clinic_settings")
    return render(
        request,
        "accounts/clinic_settings.html",
        {
            "form": form,
            "versions": queries.settings_versions(clinic),
            "thresholds": [
                (THRESHOLD_LABELS[name], name, value)
                for name, value in asdict(thresholds(current["session_settings"])).items()
            ],
            "remission": current["remission_thresholds"],
        },
    )


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Admins browse and filter the access log of their clinic; nobody can change it."""
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.VIEW_AUDIT):
        raise PermissionDenied("only a clinic admin may read the audit log")
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.access_log(membership.clinic, **filters)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
