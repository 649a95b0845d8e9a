"""Headers and cookies that keep PHI out of caches and other sites' frames and scripts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, World
from tests.factories.environment import GOOD_KEY, run


def test_pages_carry_strict_csp_and_no_store(world: World) -> None:
    response = world.client("nurse").get(f"/patients/{world.patient.pk}/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def test_api_responses_are_not_cached(world: World) -> None:
    assert world.api("nurse").get(f"/patients/{world.patient.pk}")["Cache-Control"] == "no-store"


def test_pages_contain_no_inline_script(world: World) -> None:
    html = world.client("nurse").get(f"/patients/{world.patient.pk}/").content.decode()
    assert "<script>" not in html
    assert " onclick=" not in html
    assert "<style" not in html


def test_session_api_reports_idle_expiry_as_401(world: World) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/login/", {"username": "nurse", "password": PASSWORD})
        assert client.get("/api/v1/me").status_code == 200
    with time_machine.travel(start + settings.KC_IDLE_TIMEOUT + timedelta(minutes=1), tick=False):
        response = client.get("/api/v1/me")
    assert response.status_code == 401


def test_production_uses_host_prefixed_secure_cookies(tmp_path: Path) -> None:
    names = [
        "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS", "KC_REQUIRE_STAFF_OTP",
    ]  # fmt: skip
    code = f"from django.conf import settings as s; print(*[getattr(s, n) for n in {names!r}])"
    result = run(
        tmp_path, "shell", "-c", code,
        KC_ENV="production", KC_SECRET_KEY=GOOD_KEY, KC_ALLOWED_HOSTS="clinic.example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid", "__Host-csrftoken", "True", "True", "31536000", "True",
    ]  # fmt: skip
