"""API bearer tokens: issue, use, expiry, revocation, and a disabled user's tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketamine_clinic.accounts.authn import end_all_access
from ketamine_clinic.accounts.models import ApiToken, hash_token
from tests.conftest import PASSWORD, World


def ask_token(username: str, password: str = PASSWORD, otp: str | None = None) -> Any:
    body: dict[str, Any] = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return Client().post("/api/v1/auth/token", body, content_type="application/json")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_is_issued_with_expiry_and_stored_hashed(world: World) -> None:
    response = ask_token("nurse")
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    stored = ApiToken.objects.get(pk=body["token_id"])
    assert stored.key_hash == hash_token(token)
    assert token not in stored.key_hash
    assert not ApiToken.objects.filter(key_hash=token).exists()
    expires = stored.expires_at - stored.created_at
    assert expires == settings.KC_TOKEN_TTL
    me = Client().get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["username"] == "nurse"


def test_wrong_password_gets_401(world: World) -> None:
    assert ask_token("nurse", "nope-nope-nope").status_code == 401
    assert ask_token("ghost").status_code == 401


def test_bad_token_shapes_get_401(world: World) -> None:
    for header in ["Bearer nonsense", "Bearer kc_" + "x" * 43, "Token abc", "Bearer " + "k" * 5000]:
        assert Client().get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_token_stops_working_when_it_expires(world: World) -> None:
    token = ask_token("nurse").json()["token"]
    with time_machine.travel(timezone.now() + settings.KC_TOKEN_TTL - timedelta(minutes=1)):
        assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 200
    with time_machine.travel(timezone.now() + settings.KC_TOKEN_TTL + timedelta(minutes=1)):
        assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_revoked_token_stops_working_at_once(world: World) -> None:
    body = ask_token("nurse").json()
    other = ask_token("nurse").json()
    client = Client()
    listed = client.get("/api/v1/auth/tokens", headers=bearer(body["token"])).json()
    assert {t["id"] for t in listed} == {body["token_id"], other["token_id"]}
    revoked = client.post(
        f"/api/v1/auth/tokens/{body['token_id']}/revoke", headers=bearer(other["token"])
    )
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(body["token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other["token"])).status_code == 200


def test_disabled_users_tokens_stop_working(world: World) -> None:
    token = ask_token("nurse").json()["token"]
    end_all_access(world.users["nurse"])
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert ask_token("nurse").status_code == 401


def test_inactive_user_tokens_fail_even_if_not_revoked(world: World) -> None:
    token = ask_token("nurse").json()["token"]
    user = world.users["nurse"]
    user.is_active = False
    user.save()
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_enrolled_user_needs_otp_for_a_token(world: World) -> None:
    device = TOTPDevice.objects.create(user=world.users["nurse"], name="phone", confirmed=True)
    assert ask_token("nurse").status_code == 401
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert ask_token("nurse", otp=code).status_code == 200


def test_clinic_requiring_otp_refuses_token_until_enrolled(world: World) -> None:
    world.clinic.require_staff_otp = True
    world.clinic.save()
    response = ask_token("nurse")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    assert ask_token("patient").status_code == 200  # patients are not staff


def test_token_request_validation(world: World) -> None:
    response = Client().post(
        "/api/v1/auth/token", {"username": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    fields = {e["loc"][-1] for e in response.json()["detail"]}
    assert fields == {"username", "password"}


def test_token_request_with_nul_bytes_is_a_422_not_a_crash(world: World) -> None:
    for body in (
        {"username": "nurse\x00", "password": PASSWORD},
        {"username": "nurse", "password": "pass\x00word"},
        {"username": "nurse", "password": PASSWORD, "otp": "12\x0034"},
    ):
        response = Client().post("/api/v1/auth/token", body, content_type="application/json")
        assert response.status_code == 422


def test_last_used_is_kept_to_the_minute_without_a_write_per_request(world: World) -> None:
    body = ask_token("nurse").json()
    stored = ApiToken.objects.get(pk=body["token_id"])
    assert stored.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert Client().get("/api/v1/me", headers=bearer(body["token"])).status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        Client().get("/api/v1/me", headers=bearer(body["token"]))
    stored.refresh_from_db()
    assert stored.last_used_at == start  # within the minute: not written again
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        Client().get("/api/v1/me", headers=bearer(body["token"]))
    stored.refresh_from_db()
    assert stored.last_used_at == start + timedelta(seconds=60)
