"""The day's list and the chair page: front desk checks in, the nurse works the session, the
page refuses a write from an out-of-date screen; and who may see what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.treatment_sessions.models import TreatmentSession
from tests.conftest import World
from tests.factories.chair import GOOD_VITALS, plan_today

VITALS = {k: str(v) for k, v in GOOD_VITALS.items()}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("front_desk", 200), ("nurse", 200), ("prescriber", 200), ("admin", 403), ("patient", 403)],
)
def test_who_sees_the_day(world: World, persona: str, status: int) -> None:
    assert world.client(persona).get("/chair/").status_code == status


def test_the_days_list_names_patients_and_is_logged(world: World, clock: Any) -> None:
    plan_today(world)
    for persona in ("front_desk", "nurse"):
        assert "James" in world.client(persona).get("/chair/").content.decode()
        row = AccessLog.objects.get(what="treatment_session.today", username=persona)
        assert (row.action, row.clinic_id, row.patient_id) == ("list", world.clinic.pk, None)


def test_front_desk_checks_in_and_the_nurse_works_the_chair(world: World, clock: Any) -> None:
    scheduled = plan_today(world)
    desk = world.client("front_desk")
    day = desk.get("/chair/").content.decode()
    assert "Check in James" in day
    checked = desk.post(f"/chair/open/{scheduled.pk}/", follow=True)
    assert "James Walker is checked in." in checked.content.decode()
    session = TreatmentSession.objects.get(scheduled=scheduled)
    assert session.state == "checked_in"
    assert desk.get(f"/chair/{session.pk}/").status_code == 403  # clinical content

    nurse = world.client("nurse")
    page = nurse.get(f"/chair/{session.pk}/").content.decode()
    assert "56 mg</strong> = 2 devices" in page
    assert "Record the pre-dose PHQ-9" in page
    assert "no pre-dose PHQ-9 today" in page
    saved = nurse.post(
        f"/chair/{session.pk}/vitals/", {"version": session.version, **VITALS}, follow=True
    )
    assert "Vitals recorded." in saved.content.decode()
    stale = nurse.post(
        f"/chair/{session.pk}/vitals/", {"version": session.version, **VITALS}, follow=True
    )
    assert "changed by someone else" in stale.content.decode()
    clock.shift(timedelta(minutes=1))
    high = nurse.post(
        f"/chair/{session.pk}/vitals/",
        {"version": session.version + 1, **VITALS, "systolic_mmhg": "190"},
        follow=True,
    ).content.decode()
    assert "ALERT: systolic 190 &gt; 180 mmHg" in high
    assert 'id="vitals-alert"' in high
    assert "BP 128/82 · HR 72 · SpO2 98% · RR 14" in high  # the timeline, written for people
    assert "Checked in" in high
    bad = nurse.post(
        f"/chair/{session.pk}/vitals/",
        {"version": session.version + 2, **VITALS, "spo2_pct": "120"},
        follow=True,
    ).content.decode()
    assert "120 is outside 50-100" in bad


def test_the_pre_dose_phq9_comes_back_to_the_chair(world: World, clock: Any) -> None:
    scheduled = plan_today(world)
    world.client("front_desk").post(f"/chair/open/{scheduled.pk}/")
    session = TreatmentSession.objects.get(scheduled=scheduled)
    nurse = world.client("nurse")
    url = (
        f"/patients/{world.patient.pk}/assessments/new/phq9/"
        f"?context=pre_dose&next=/chair/{session.pk}/"
    )
    form = nurse.get(url).content.decode()
    assert 'value="pre_dose" selected' in form
    answers = {f"item_{n}": "1" for n in range(1, 10)} | {"item_9": "0"}
    answers |= {
        "administered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "context": "pre_dose",
    }
    done = nurse.post(url, answers)
    assert done.status_code == 302
    assert done.url == f"/chair/{session.pk}/"
    outside = nurse.post(
        f"/patients/{world.patient.pk}/assessments/new/phq9/?next=https://evil.example/",
        answers
        | {
            "administered_at": (timezone.localtime() - timedelta(minutes=1)).strftime(
                "%Y-%m-%dT%H:%M"
            )
        },
    )
    assert outside.url.startswith(f"/patients/{world.patient.pk}/")


def test_another_clinic_cannot_reach_the_chair(world: World, clock: Any) -> None:
    scheduled = plan_today(world)
    world.client("front_desk").post(f"/chair/open/{scheduled.pk}/")
    session = TreatmentSession.objects.get(scheduled=scheduled)
    other = world.client("other_clinic_nurse")
    assert other.get(f"/chair/{session.pk}/").status_code == 404
    assert other.post(f"/chair/{session.pk}/vitals/", {"version": 2, **VITALS}).status_code == 404
    assert other.post(f"/chair/open/{scheduled.pk}/").status_code == 404
    assert "James" not in other.get("/chair/").content.decode()


def test_the_witnessed_waste_on_one_tablet(world: World, clock: Any) -> None:
    from tests.conftest import PASSWORD
    from tests.treatment_sessions.test_api import Chair, ready_to_dose, start, vault

    chair = Chair(world, start(world, "iv_racemic"))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    chair.post("doses", action="iv_start", drawn_mg="50", container=vault(world)["ketamine"])
    clock.shift(timedelta(minutes=40))
    chair.post("doses", action="iv_stop", given_mg="35")
    nurse = world.client("nurse")
    page = nurse.get(f"/chair/{chair.id}/").content.decode()
    assert "Waste 15 mg before a witness" in page
    wrong = nurse.post(
        f"/chair/{chair.id}/waste/",
        {"version": chair.version, "witness_username": "prescriber", "witness_password": "nope"},
        follow=True,
    ).content.decode()
    assert "username or password is wrong" in wrong
    done = nurse.post(
        f"/chair/{chair.id}/waste/",
        {"version": chair.version, "witness_username": "prescriber", "witness_password": PASSWORD},
        follow=True,
    ).content.decode()
    assert "15.00 mg wasted, witnessed by prescriber." in done
    assert "before a witness" not in done


@pytest.mark.parametrize(
    ("esketamine", "sex", "nasal", "pregnancy"),
    [
        (True, "male", True, "not_applicable"),
        (False, "male", False, "not_applicable"),
        (False, "female", False, None),  # the nurse answers; nothing is assumed
        (True, "unknown", True, None),
    ],
)
def test_pre_dose_checks_ask_what_fits_the_patient_and_product(
    esketamine: bool, sex: str, nasal: bool, pregnancy: str | None
) -> None:
    from ketamine_clinic.treatment_sessions.forms import ChecksForm

    form = ChecksForm(esketamine=esketamine, sex=sex)
    assert ("nasal_steroid_decongestant_at" in form.fields) is nasal
    assert form["pregnancy"].value() == pregnancy
    unanswered = ChecksForm({"identity_confirmed": "on"}, esketamine=esketamine, sex=sex)
    assert not unanswered.is_valid()
    assert unanswered.errors["pregnancy"] == ["Pregnancy is required."]
    assert 'data-quick-time="0,1,2,4,6,8"' in str(form["last_food_at"])
