"""Logging in on the web: passwords, lockout, second factor, idle and absolute session limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketamine_clinic.accounts.authn import end_all_access
from ketamine_clinic.accounts.backends import BACKEND
from ketamine_clinic.accounts.models import AccessLog, Membership
from tests.conftest import PASSWORD, World


def login(client: Client, username: str, password: str = PASSWORD, otp: str = "") -> object:
    return client.post("/login/", {"username": username, "password": password, "otp": otp})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_passwords_are_hashed_with_argon2(world: World) -> None:
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert world.users["nurse"].password.startswith("argon2")


def test_login_success_goes_to_patient_list_and_is_audited(world: World) -> None:
    client = Client()
    response = login(client, "nurse")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").url == "/patients/"
    assert AccessLog.objects.filter(username="nurse", action="login").count() == 1


def test_patient_lands_on_their_portal(world: World) -> None:
    client = Client()
    login(client, "patient")
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == "/patients/me/"
    assert b"988" in response.content  # crisis line first
    assert b"Hello, Mei" in response.content


def test_wrong_password_is_refused_without_saying_which_part(world: World) -> None:
    response = login(Client(), "nurse", "wrong-password")
    assert response.status_code == 200
    assert b"Username or password is wrong" in response.content
    response = login(Client(), "nobody", "wrong-password")
    assert b"Username or password is wrong" in response.content


def test_next_parameter_only_redirects_within_the_site(world: World) -> None:
    client = Client()
    response = client.post(
        "/login/?next=https://evil.example/",
        {"username": "nurse", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
    client = Client()
    response = client.post(
        "/login/", {"username": "nurse", "password": PASSWORD, "next": "/patients/"}
    )
    assert response["Location"] == "/patients/"


def test_lockout_after_repeated_failures_then_cool_off(world: World) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        login(Client(), "nurse", "wrong-password")
    locked = login(Client(), "nurse")  # even the right password
    assert locked.status_code == 429
    assert b"Too many failed attempts" in locked.content
    # The API refuses the same account too.
    api = Client().post(
        "/api/v1/auth/token",
        {"username": "nurse", "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=5)):
        assert login(Client(), "nurse").status_code == 302


def test_lockout_is_per_username_from_another_address_too(world: World) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(REMOTE_ADDR="10.0.0.1"), "nurse", "wrong-password")
    assert login(Client(REMOTE_ADDR="10.0.0.2"), "nurse").status_code == 429
    # Another user from a fresh address is unaffected.
    assert login(Client(REMOTE_ADDR="10.0.0.3"), "prescriber").status_code == 302


def test_user_without_active_membership_cannot_log_in(world: World) -> None:
    Membership.objects.filter(user=world.users["nurse"]).update(is_active=False)
    response = login(Client(), "nurse")
    assert response.status_code == 200
    assert b"no active clinic membership" in response.content


def test_idle_logout_after_configured_minutes(world: World) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "nurse")
        assert client.get("/patients/").status_code == 200
    idle = settings.KC_IDLE_TIMEOUT
    with time_machine.travel(start + idle - timedelta(seconds=30), tick=False):
        assert client.get("/patients/").status_code == 200  # activity resets the clock
    with time_machine.travel(start + 2 * idle - timedelta(seconds=60), tick=False):
        assert client.get("/patients/").status_code == 200
    with time_machine.travel(start + 3 * idle, tick=False):
        response = client.get("/patients/")
        assert response.status_code == 302
        assert response.url.startswith("/login/")
        page = client.get(response.url)
        assert b"logged out after a period without activity" in page.content


def test_activity_is_noted_to_the_quarter_minute(world: World) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "nurse")
    for seconds, noted in ((10, 0), (15, 15), (29, 15), (31, 31)):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            assert client.get("/patients/").status_code == 200
        assert client.session["kc_last_seen"] == (start + timedelta(seconds=noted)).timestamp()


def test_background_polling_does_not_keep_a_session_alive(world: World) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "nurse")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        client.get("/patients/", headers={"X-KC-Background": "1"})
    with time_machine.travel(start + settings.KC_IDLE_TIMEOUT + timedelta(minutes=1), tick=False):
        assert client.get("/patients/").status_code == 302


def test_absolute_session_limit(world: World) -> None:
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "nurse")
    step = settings.KC_IDLE_TIMEOUT - timedelta(minutes=1)
    moment = start
    while moment + step < start + settings.KC_SESSION_MAX_AGE:
        moment += step
        with time_machine.travel(moment, tick=False):
            assert client.get("/patients/").status_code == 200
    with time_machine.travel(
        start + settings.KC_SESSION_MAX_AGE + timedelta(minutes=1), tick=False
    ):
        response = client.get("/patients/")
        assert response.status_code == 302
        assert b"maximum length" in client.get(response.url).content


def test_disabling_a_user_ends_their_session(world: World) -> None:
    client = Client()
    login(client, "nurse")
    assert client.get("/patients/").status_code == 200
    end_all_access(world.users["nurse"])
    assert client.get("/patients/").status_code == 302


def test_a_screen_reads_the_user_with_their_memberships_each_request(world: World) -> None:
    """One query brings the user and their clinics; a role taken away applies from the next
    request, and a user whose last membership ends is still the user (with no clinic)."""
    client = Client()
    login(client, "nurse")
    user_id = str(world.users["nurse"].pk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/patients/").status_code == 200
    reads = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and user_id.replace("-", "") in q["sql"].replace("-", "")
    ]
    assert len(reads) == 1, reads
    assert "accounts_membership" in reads[0]
    assert "accounts_user" in reads[0]
    Membership.objects.filter(user=world.users["nurse"]).update(is_active=False)
    assert client.get("/patients/").status_code == 403
    other = Client()
    other.force_login(world.users["nurse"], backend=BACKEND)
    response = other.get("/patients/")
    assert response.status_code == 403
    assert response.wsgi_request.user == world.users["nurse"]


def test_logout_requires_post_and_ends_session(world: World) -> None:
    client = Client()
    login(client, "nurse")
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/patients/").status_code == 302


def test_session_id_changes_at_login(world: World) -> None:
    client = Client()
    client.get("/login/")
    client.cookies["sessionid"] = "attacker-chosen-session"
    login(client, "nurse")
    assert client.cookies["sessionid"].value != "attacker-chosen-session"


# --- Second factor -------------------------------------------------------------------------


@pytest.fixture
def nurse_device(world: World) -> TOTPDevice:
    return TOTPDevice.objects.create(user=world.users["nurse"], name="phone", confirmed=True)


def test_enrolled_user_needs_the_code(world: World, nurse_device: TOTPDevice) -> None:
    client = Client()
    response = login(client, "nurse")
    assert response.status_code == 200
    assert b"Enter the 6-digit code" in response.content
    response = login(
        client, "nurse", otp="000000" if current_code(nurse_device) != "000000" else "111111"
    )
    assert b"wrong or expired" in response.content
    # django-otp throttles a device for a moment after a wrong code.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        response = login(client, "nurse", otp=current_code(nurse_device))
    assert response.status_code == 302


def test_wrong_codes_count_towards_lockout(world: World, nurse_device: TOTPDevice) -> None:
    wrong = "000000" if current_code(nurse_device) != "000000" else "111111"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "nurse", otp=wrong)
    assert login(Client(), "nurse", otp=current_code(nurse_device)).status_code == 429


def test_clinic_requiring_otp_sends_staff_to_enrol(world: World) -> None:
    world.clinic.require_staff_otp = True
    world.clinic.save()
    client = Client()
    login(client, "nurse")
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response.url == "/account/two-factor/"
    # The session API is closed too until the second factor is used.
    assert client.get("/api/v1/patients").status_code == 403
    page = client.get("/account/two-factor/")
    assert b"Set up your authenticator app" in page.content
    device = TOTPDevice.objects.get(user=world.users["nurse"])
    assert not device.confirmed
    response = client.post("/account/two-factor/", {"otp": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/patients/").status_code == 200


def test_clinic_otp_rule_does_not_apply_to_patients(world: World) -> None:
    world.clinic.require_staff_otp = True
    world.clinic.save()
    client = Client()
    login(client, "patient")
    assert client.get("/patients/me/").status_code == 200


def test_production_requires_otp_for_staff_by_default(world: World, settings: object) -> None:
    settings.KC_REQUIRE_STAFF_OTP = True  # type: ignore[attr-defined]
    client = Client()
    login(client, "prescriber")
    assert client.get("/patients/").url == "/account/two-factor/"


def test_voluntary_enrolment_and_the_page_once_set_up(world: World) -> None:
    client = Client()
    login(client, "nurse")
    page = client.get("/account/two-factor/")
    assert b"Set up your authenticator app" in page.content
    device = TOTPDevice.objects.get(user=world.users["nurse"])
    assert client.post("/account/two-factor/", {"otp": current_code(device)}).status_code == 302
    assert b"is set up" in client.get("/account/two-factor/").content
    # From now on the code is needed to log in.
    assert b"Enter the 6-digit code" in login(Client(), "nurse").content
