"""The `ketamine-clinic` command: create-clinic, create-user (password on stdin), and more."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ketamine_clinic.accounts.authn import issue_token
from ketamine_clinic.accounts.backends import BACKEND
from ketamine_clinic.accounts.models import ApiToken, Clinic, Membership, User
from ketamine_clinic.cli import ALIASES
from tests.conftest import World

# Changing clinical settings needs a clinic admin and a reason (a new version).
AS = ("--as", "admin", "--reason", "the medical director's decision")


def run(name: str, *args: str, stdin: str = "") -> str:
    out = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command(ALIASES.get(name, name), *args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


@pytest.mark.django_db
def test_create_clinic_then_user() -> None:
    assert "Created clinic Lakeside" in run("create-clinic", "Lakeside")
    with pytest.raises(CommandError, match="already exists"):
        run("create-clinic", "lakeside")
    out = run(
        "create-user",
        "dr.kim",
        "--role",
        "prescriber",
        "--clinic",
        "Lakeside",
        stdin="a-long-unusual-passphrase\n",
    )
    assert "Created prescriber dr.kim in Lakeside" in out
    user = User.objects.get(username="dr.kim")
    assert user.check_password("a-long-unusual-passphrase")
    assert user.password.startswith("argon2")
    assert Membership.objects.get(user=user).role == "prescriber"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password123", "too common"),
        ("short", "too short"),
        ("83749283749283", "entirely numeric"),
        ("", "no password on standard input"),
    ],
)
def test_create_user_refuses_weak_passwords(password: str, message: str) -> None:
    Clinic.objects.create(name="Lakeside")
    with pytest.raises(CommandError, match=message):
        run(
            "create-user",
            "jo",
            "--role",
            "front_desk",
            "--clinic",
            "Lakeside",
            stdin=password + "\n",
        )
    assert not User.objects.filter(username="jo").exists()


@pytest.mark.django_db
def test_create_user_needs_a_known_clinic_and_role() -> None:
    with pytest.raises(CommandError, match="no clinic named 'Nowhere'"):
        run(
            "create-user",
            "jo",
            "--role",
            "nurse",
            "--clinic",
            "Nowhere",
            stdin="a-long-unusual-passphrase\n",
        )
    Clinic.objects.create(name="Lakeside")
    with pytest.raises(CommandError, match="invalid choice"):
        run(
            "create-user",
            "jo",
            "--role",
            "janitor",
            "--clinic",
            "Lakeside",
            stdin="a-long-unusual-passphrase\n",
        )


def test_patient_account_links_to_chart(world: World) -> None:
    mrn = world.patient.mrn
    run(
        "create-user",
        "james",
        "--role",
        "patient",
        "--clinic",
        "Clinic A",
        "--patient-mrn",
        mrn,
        stdin="a-long-unusual-passphrase\n",
    )
    world.patient.refresh_from_db()
    assert world.patient.user == User.objects.get(username="james")
    with pytest.raises(CommandError, match="already has a portal account"):
        run(
            "create-user",
            "james2",
            "--role",
            "patient",
            "--clinic",
            "Clinic A",
            "--patient-mrn",
            mrn,
            stdin="a-long-unusual-passphrase\n",
        )


def test_grant_role_and_disable_user(world: World) -> None:
    run("grant-role", "nurse", "--role", "nurse", "--clinic", "Clinic B")
    assert world.users["nurse"].role_in(world.other_clinic.pk) == "nurse"
    token = issue_token(world.users["nurse"], None)
    run("disable-user", "nurse")
    world.users["nurse"].refresh_from_db()
    assert not world.users["nurse"].is_active
    assert ApiToken.objects.get(pk=token.record.pk).revoked_at is not None


def test_console_script_is_manage_py(tmp_path: Path) -> None:
    env = {**os.environ, "KC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [Path(sys.executable).with_name("ketamine-clinic"), "create-clinic", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--require-staff-otp" in result.stdout


def test_reset_otp_removes_the_device_and_ends_sessions(world: World) -> None:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world.users["nurse"], name="phone", confirmed=True)
    client = Client()
    client.force_login(world.users["nurse"], backend=BACKEND)
    assert client.get("/patients/").status_code == 200
    out = run("reset-otp", "nurse")
    assert "Removed 1 authenticator(s) of nurse; ended 1 session(s)." in out
    assert not TOTPDevice.objects.filter(user=world.users["nurse"]).exists()
    assert client.get("/patients/").status_code == 302


def test_configure_clinic(world: World) -> None:
    out = run(
        "configure-clinic", "Clinic A", *AS, "--crisis-phone", "116123", "--crisis-text",
        "Call Samaritans on 116 123.", "--measurement-interval-days", "14",
        "--remission", "madrs=12", "--require-staff-otp", "yes",
    )  # fmt: skip
    assert "remission cut-offs {'madrs': 12}" in out
    world.clinic.refresh_from_db()
    assert world.clinic.crisis_phone == "116123"
    assert world.clinic.measurement_interval_days == 14
    assert world.clinic.require_staff_otp
    run("configure-clinic", "Clinic A", *AS, "--remission", "madrs=default")
    world.clinic.refresh_from_db()
    assert world.clinic.remission_thresholds == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--remission", "cadss=3"], "not an outcome measure"),
        (["--remission", "madrs=99"], "between 0 and 60"),
        (["--crisis-phone", "call me"], "digits"),
        (["--measurement-interval-days", "0"], "between 1 and 90"),
    ],
)
def test_configure_clinic_refuses_bad_values(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("configure-clinic", "Clinic A", *AS, *args)


def test_configure_clinic_eligibility(world: World) -> None:
    from ketamine_clinic.evaluations.queries import clinic_settings, max_evaluation_age

    run(
        "configure-clinic",
        "Clinic A",
        *AS,
        "--eligibility",
        "adequate_trial_weeks=4",
        "--eligibility",
        "bp_precaution_mmhg=130/85",
        "--eligibility",
        "rule.psychosis_history=relative",
        "--eligibility",
        "max_evaluation_age_days=180",
    )
    world.clinic.refresh_from_db()
    settings = clinic_settings(world.clinic)
    assert settings.adequate_trial_weeks == 4
    assert settings.bp_precaution_mmhg == (130, 85)
    assert settings.severity_overrides == {"psychosis_history": "relative"}
    assert max_evaluation_age(world.clinic) == 180
    run("configure-clinic", "Clinic A", *AS, "--eligibility", "adequate_trial_weeks=default")
    world.clinic.refresh_from_db()
    assert clinic_settings(world.clinic).adequate_trial_weeks == 6


@pytest.mark.parametrize(
    "spec",
    [
        "min_failed_trials=0",
        "bp_relative_mmhg=high",
        "rule.x=maybe",
        "colour=blue",
        "max_evaluation_age_days=9999",
        "rule.pregnancy=info",  # a clinic tightens, never relaxes
        "min_failed_trials=1",
        "bp_relative_mmhg=200/120",
    ],
)
def test_configure_clinic_refuses_bad_eligibility(world: World, spec: str) -> None:
    with pytest.raises(CommandError, match="--eligibility"):
        run("configure-clinic", "Clinic A", *AS, "--eligibility", spec)


def test_configure_clinic_calendar(world: World) -> None:
    run(
        "configure-clinic",
        "Clinic A",
        "--open-days",
        "tue,thu,sat",
        "--closed",
        "2026-12-24",
        "--closed",
        "2026-12-31",
    )
    world.clinic.refresh_from_db()
    assert world.clinic.open_weekdays == [1, 3, 5]
    assert world.clinic.closed_dates == ["2026-12-24", "2026-12-31"]
    run("configure-clinic", "Clinic A", *AS, "--reopen", "2026-12-31")
    world.clinic.refresh_from_db()
    assert world.clinic.closed_dates == ["2026-12-24"]
    with pytest.raises(CommandError, match="--open-days"):
        run("configure-clinic", "Clinic A", *AS, "--open-days", "funday")
    with pytest.raises(CommandError, match="not a date"):
        run("configure-clinic", "Clinic A", *AS, "--closed", "Christmas")


def test_configure_clinic_appointments_and_messages(world: World) -> None:
    run("configure-clinic", "Clinic A", *AS,
        "--appointments", "patients_per_nurse=3", "--appointments", "minutes.evaluation=90",
        "--appointments", "prescriber_on_site=iv_racemic,esketamine_nasal",
        "--messages", "reminder_hours=72,24", "--messages", "quiet_hours=20:00-09:00")  # fmt: skip
    world.clinic.refresh_from_db()
    assert world.clinic.appointment_settings == {
        "patients_per_nurse": 3, "minutes": {"evaluation": 90},
        "prescriber_on_site": ["esketamine_nasal", "iv_racemic"],
    }  # fmt: skip
    assert world.clinic.message_settings == {
        "reminder_hours": [72, 24],
        "quiet_hours": ["20:00", "09:00"],
    }
    change = world.clinic.settings_changes.order_by("-version").first()
    assert change.after["appointment_settings"]["patients_per_nurse"] == 3
    run("configure-clinic", "Clinic A", *AS, "--appointments", "patients_per_nurse=default")
    world.clinic.refresh_from_db()
    assert "patients_per_nurse" not in world.clinic.appointment_settings


@pytest.mark.parametrize(
    ("option", "spec"),
    [
        ("--appointments", "esketamine_observation_min=60"),  # the label's 2 hours
        ("--appointments", "prescriber_on_site=iv_racemic"),  # esketamine always
        ("--appointments", "patients_per_nurse=many"),
        ("--appointments", "minutes.massage=30"),
        ("--messages", "reminder_hours=soon"),
        ("--messages", "quiet_hours=late"),
        ("--messages", "questionnaires=maybe"),
        ("--messages", "colour=blue"),
    ],
)
def test_configure_clinic_refuses_bad_calendar_settings(
    world: World, option: str, spec: str
) -> None:
    with pytest.raises(CommandError, match=option):
        run("configure-clinic", "Clinic A", *AS, option, spec)


def test_configure_clinic_for_the_chair_and_the_ledger(world: World) -> None:
    from ketamine_clinic.inventory.models import Registration

    with pytest.raises(CommandError, match="--dea: set the clinic's --address first"):
        run("configure-clinic", "Clinic A", *AS, "--dea", "AB1234563")
    run(
        "configure-clinic", "Clinic A", *AS, "--phone", "+1 555 0100", "--address", "1 Main St",
        "--dea", "AB1234563", "--session", "esketamine_hold_mmhg=130/85",
        "--session", "alert_heart_rate_above=100",
    )  # fmt: skip
    world.clinic.refresh_from_db()
    assert world.clinic.phone == "+1 555 0100"
    assert world.clinic.session_settings == {
        "esketamine_hold_mmhg": [130, 85],
        "alert_heart_rate_above": 100,
    }
    assert Registration.objects.get(clinic=world.clinic).dea_number == "AB1234563"
    with pytest.raises(CommandError, match="check digit"):
        run("configure-clinic", "Clinic A", *AS, "--dea", "AB1234564")
    with pytest.raises(CommandError, match="--session alert_spo2_below"):
        run("configure-clinic", "Clinic A", *AS, "--session", "alert_spo2_below=0")
    with pytest.raises(CommandError, match="is not a session setting"):
        run("configure-clinic", "Clinic A", *AS, "--session", "colour=3")
    run("configure-clinic", "Clinic A", *AS, "--session", "alert_heart_rate_above=default")
    world.clinic.refresh_from_db()
    assert "alert_heart_rate_above" not in world.clinic.session_settings


def test_clinical_settings_are_versions_with_an_author_and_a_reason(world: World) -> None:
    from ketamine_clinic.accounts.models import AccessLog, ClinicSettingsChange

    with pytest.raises(CommandError, match="needs --as ADMIN_USERNAME and --reason"):
        run("configure-clinic", "Clinic A", "--session", "alert_heart_rate_above=100")
    with pytest.raises(CommandError, match="is not an admin of Clinic A"):
        run("configure-clinic", "Clinic A", "--as", "nurse", "--reason", "a good reason",
            "--session", "alert_heart_rate_above=100")  # fmt: skip
    with pytest.raises(CommandError, match="never relax it"):
        run("configure-clinic", "Clinic A", *AS, "--session", "alert_heart_rate_above=130")
    run("configure-clinic", "Clinic A", *AS, "--session", "alert_heart_rate_above=100")
    run("configure-clinic", "Clinic A", *AS, "--eligibility", "min_failed_trials=3")
    run("configure-clinic", "Clinic A", *AS, "--crisis-phone", "988")  # not clinical: no version
    versions = list(ClinicSettingsChange.objects.filter(clinic=world.clinic).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].before["session_settings"] == {}
    assert versions[0].after["session_settings"] == {"alert_heart_rate_above": 100}
    assert versions[1].after["eligibility_settings"] == {"min_failed_trials": 3}
    assert versions[1].created_by == world.users["admin"]
    assert versions[1].reason == "the medical director's decision"
    assert AccessLog.objects.filter(what="clinic_settings v2").exists()


def test_an_admin_changes_the_settings_on_a_screen_with_a_reason(world: World) -> None:
    from ketamine_clinic.accounts.models import ClinicSettingsChange

    client = world.client("admin")
    page = client.get("/clinic/settings/").content.decode()
    assert "the library's defaults are in force" in page
    refused = client.post(
        "/clinic/settings/",
        {"session": "alert_spo2_below=90", "eligibility": "", "reason": "the director asked"},
    )
    assert "never relax it" in refused.content.decode()
    short = client.post("/clinic/settings/", {"session": "", "eligibility": "", "reason": "x"})
    assert short.status_code == 200
    done = client.post(
        "/clinic/settings/",
        {
            "session": "alert_spo2_below=94\nesketamine_hold_mmhg=130/85",
            "eligibility": "min_failed_trials=3",
            "reason": "medical director, January review",
        },
    )
    assert done.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.session_settings == {
        "alert_spo2_below": 94,
        "esketamine_hold_mmhg": [130, 85],
    }
    (version,) = ClinicSettingsChange.objects.filter(clinic=world.clinic)
    assert version.created_by == world.users["admin"]
    page = client.get("/clinic/settings/").content.decode()
    assert 'data-version="1"' in page
    assert "medical director, January review" in page
    assert "alert_spo2_below=94" in page  # the form starts from what is in force


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("prescriber", 403), ("nurse", 403), ("front_desk", 403), ("patient", 403)],
)
def test_only_admins_change_the_clinic_settings(world: World, persona: str, status: int) -> None:
    client = world.client(persona)
    assert client.get("/clinic/settings/").status_code == status
    posted = client.post("/clinic/settings/", {"session": "", "reason": "a long enough reason"})
    assert posted.status_code in ((200, 302) if status == 200 else (403,))


def test_the_new_screens_need_a_login(world: World) -> None:
    from django.test import Client

    anonymous = Client()
    for path in ("/clinic/settings/", "/lock/", "/account/pin/", "/chair/board/"):
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/login/"), path


def test_remission_cut_offs_are_set_on_the_screen_as_a_version(world: World) -> None:
    from ketamine_clinic.accounts.models import ClinicSettingsChange

    client = world.client("admin")
    base = {"session": "", "eligibility": "", "reason": "outcome review with the director"}
    refused = client.post("/clinic/settings/", {**base, "remission": "cadss=3"}).content.decode()
    assert "not an outcome measure" in refused
    out_of_range = client.post("/clinic/settings/", {**base, "remission": "madrs=99"})
    assert "between 0 and 60" in out_of_range.content.decode()
    assert not ClinicSettingsChange.objects.filter(clinic=world.clinic).exists()
    done = client.post("/clinic/settings/", {**base, "remission": "madrs=10"})
    assert done.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.remission_thresholds == {"madrs": 10}
    (version,) = ClinicSettingsChange.objects.filter(clinic=world.clinic)
    assert version.before["remission_thresholds"] == {}
    assert version.after["remission_thresholds"] == {"madrs": 10}
    page = client.get("/clinic/settings/").content.decode()
    assert "madrs=10" in page  # the form starts from what is in force
