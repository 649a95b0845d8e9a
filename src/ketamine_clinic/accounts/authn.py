"""Checking credentials (password, lockout, second factor) and issuing API tokens.

The login page and `POST /api/v1/auth/token` share this, so both lock out the same way and
both demand the second factor when the user has one or their clinic requires one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketamine_clinic.accounts.models import ApiToken, User, hash_token
from ketamine_clinic.accounts.roles import STAFF_ROLES, Role
from ketamine_clinic.server.compiled_sql import CompiledRead

TOKEN_PREFIX = "kc_"  # noqa: S105  # a marker that says "this is a token", not a secret


@dataclass(frozen=True)
class CredentialCheck:
    """The outcome of a login attempt: a user, or a problem code with a message for people."""

    user: User | None = None
    device: TOTPDevice | None = None
    problem: str = ""
    message: str = ""


def otp_required_for(user: User) -> bool:
    """Staff need a second factor in production, or wherever one of their clinics asks for it."""
    memberships = user.active_memberships
    staff = [m for m in memberships if Role(m.role) in STAFF_ROLES]
    if not staff:
        return False
    return settings.KC_REQUIRE_STAFF_OTP or any(m.clinic.require_staff_otp for m in staff)


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def device_to_enrol(user: User) -> TOTPDevice:
    """The authenticator the person is setting up: the one left unconfirmed, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def confirm_device(device: TOTPDevice) -> None:
    """The first right code from a new authenticator: from now on it is the second factor."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def check_credentials(
    request: HttpRequest, username: str, password: str, otp: str | None
) -> CredentialCheck:
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        return CredentialCheck(
            problem="locked",
            message="Too many failed attempts. Try again later or ask your clinic admin.",
        )
    if not isinstance(user, User):
        return CredentialCheck(problem="invalid", message="Username or password is wrong.")
    if not user.memberships_active().exists():
        return CredentialCheck(
            problem="no_membership",
            message="This account has no active clinic membership. Ask your clinic admin.",
        )
    device = confirmed_device(user)
    if device is None:
        return CredentialCheck(user=user)
    code = (otp or "").strip().replace(" ", "")
    if not code:
        return CredentialCheck(
            problem="otp_required",
            message="Enter the 6-digit code from your authenticator app.",
        )
    if not device.verify_token(code):
        # A wrong code counts towards lockout exactly like a wrong password.
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        return CredentialCheck(
            problem="otp_invalid", message="That authenticator code is wrong or expired."
        )
    return CredentialCheck(user=user, device=device)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    record: ApiToken

    @property
    def expires_at(self) -> datetime:
        return self.record.expires_at


def issue_token(user: User, ip_address: str | None) -> IssuedToken:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    record = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:10],
        created_at=now,
        expires_at=now + settings.KC_TOKEN_TTL,
        created_from_ip=ip_address,
    )
    return IssuedToken(token=raw, record=record)


# "Last used" is for spotting forgotten tokens, not an audit record (the access log is): to the
# minute is enough, and it spares a write on every API request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# Every API request reads its token; key_hash is unique, so no sort (as first() would add).
TOKEN_WITH_USER = CompiledRead(
    lambda key: ApiToken.objects.select_related("user").filter(key_hash=key).order_by(), text=True
)


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    """The active user behind a live token; None for unknown, expired, revoked or disabled."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = TOKEN_WITH_USER.first(hash_token(raw))
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


def revoke_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def end_all_access(user: User) -> None:
    """Disable a user: every session ends (the auth backend refuses inactive users) and every
    token stops working."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
