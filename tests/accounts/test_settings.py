"""Settings from the environment: production refuses unsafe starts and passes check --deploy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories.environment import GOOD_KEY, run


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    result = run(tmp_path, "check", KC_ENV="production", KC_ALLOWED_HOSTS="clinic.example.org")
    assert result.returncode != 0
    assert "KC_SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    result = run(tmp_path, "check", KC_ENV="production", KC_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "KC_ALLOWED_HOSTS is required" in result.stderr


def test_production_refuses_a_weak_secret_key(tmp_path: Path) -> None:
    result = run(
        tmp_path, "check", KC_ENV="production", KC_SECRET_KEY="short", KC_ALLOWED_HOSTS="x.org"
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_check_deploy_has_no_warnings(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KC_ENV="production",
        KC_SECRET_KEY=GOOD_KEY,
        KC_ALLOWED_HOSTS="clinic.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KC_ENV", "staging", "KC_ENV='staging': expected one of development, production"),
        ("KC_IDLE_MINUTES", "soon", "KC_IDLE_MINUTES='soon': expected a whole number"),
        ("KC_IDLE_MINUTES", "0", "KC_IDLE_MINUTES=0: must be between 1 and 720"),
        ("KC_DEBUG", "maybe", "KC_DEBUG='maybe'"),
        ("KC_DB_PREPARE", "sometimes", "KC_DB_PREPARE='sometimes'"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL: only sqlite"),
        ("KC_TIME_ZONE", "Mars/Olympus", "KC_TIME_ZONE='Mars/Olympus': not a time zone"),
        ("KC_SMS_BACKEND", "pigeon", "KC_SMS_BACKEND='pigeon': expected one of console, twilio"),
        ("KC_SMS_BACKEND", "twilio", "KC_SMS_BACKEND=twilio needs KC_SMS_ACCOUNT"),
        ("KC_SMTP_PORT", "0", "KC_SMTP_PORT=0: must be between 1 and 65535"),
    ],
)
def test_bad_environment_values_are_named(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    result = run(tmp_path, "check", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_development_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    assert run(tmp_path, "check").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run(tmp_path, "check").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize(("value", "prepared"), [("", True), ("0", False), ("on", True)])
def test_prepared_statements_can_be_turned_off_for_a_pooler(
    tmp_path: Path, value: str, prepared: bool
) -> None:
    """KC_DB_PREPARE=0 for PgBouncer in transaction mode, which cannot keep them."""
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = run(
        tmp_path, "shell", "-c", show,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none", KC_DB_PREPARE=value,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert ("'server_side_binding': True" in result.stdout) is prepared
