"""A treatment session over the API: esketamine and IV from check-in to discharge, each
threshold and override, the device spacing, the 2-hour rule, corrections, conflicts and who
may do what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.treatment.models import ScheduledSession
from ketamine_clinic.treatment_sessions.models import Administration, TreatmentSession
from tests.conftest import World
from tests.factories.chair import (
    CHECKS,
    GOOD_VITALS,
    Chair,
    ready_to_dose,
    start,
    vault,
)


def test_an_esketamine_session_from_check_in_to_discharge(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    assert chair.refresh()["state"] == "scheduled"
    ready_to_dose(world, chair)
    timeline = chair.refresh()
    assert timeline["pre_dose_problems"] == []
    assert chair.post("checks/pass").json()["state"] == "checks_passed"

    first = chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert first.status_code == 201, first.content
    assert first.json()["data"]["device_number"] == 1
    assert chair.refresh()["state"] == "dosing"
    clock.shift(timedelta(minutes=4, seconds=30))
    early = chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert early.status_code == 409
    assert "wait 0 min 30 s more" in early.json()["detail"]
    clock.shift(timedelta(seconds=30))
    assert (
        chair.post("doses", action="device", container=vault(world)["esketamine"]).status_code
        == 201
    )
    body = chair.refresh()
    assert body["state"] == "monitoring"  # 56 mg = two devices: dosing is complete
    assert (
        chair.post("doses", action="device", container=vault(world)["esketamine"]).status_code
        == 409
    )
    assert body["due"][0]["what"] == "blood pressure at 40 min"

    clock.shift(timedelta(minutes=35))  # 40 min after the first device
    chair.post("vitals", **GOOD_VITALS)
    assert chair.refresh()["due"] == []
    chair.post("observations", scale="cadss", score=12)
    chair.post("adverse-events", kind="dissociation", severity="mild", action_taken="reassured")
    clock.shift(timedelta(minutes=45))
    dissociation = next(e for e in chair.refresh()["entries"] if e["type"] == "adverse_event")
    resolved = chair.post(
        "adverse-events",
        kind="dissociation",
        severity="mild",
        resolved_at=timezone.now().isoformat(),
        corrects=dissociation["id"],
    )
    assert resolved.status_code == 201
    chair.post("observations", scale="moaas", score=5)
    chair.post("vitals", **GOOD_VITALS)
    early_leave = chair.post("ready", responsible_adult="Pat Walker", ready_without_rule_min=85)
    assert early_leave.status_code == 409
    assert "REMS: at least 120 minutes" in early_leave.json()["detail"]

    clock.shift(timedelta(minutes=36))  # 121 minutes after the first device
    chair.post("vitals", **GOOD_VITALS)
    missing = chair.post("ready", responsible_adult="Pat Walker")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "ready_without_rule_min"
    ready = chair.post("ready", responsible_adult="Pat Walker", ready_without_rule_min=85)
    assert ready.status_code == 200, ready.content
    assert chair.post("discharge", note="home with Pat").json()["state"] == "discharged"

    body = chair.refresh()
    assert [t["to_state"] for t in body["transitions"]] == [
        "checked_in",
        "checks_passed",
        "dosing",
        "monitoring",
        "ready_for_discharge",
        "discharged",
    ]
    session = TreatmentSession.objects.get()
    assert session.scheduled is not None
    assert session.scheduled.state == ScheduledSession.State.DONE
    assert chair.post("vitals", **GOOD_VITALS).status_code == 409  # nothing after discharge


def test_an_iv_infusion(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "iv_racemic"))
    ready_to_dose(world, chair, {**GOOD_VITALS, "systolic_mmhg": 150, "diastolic_mmhg": 95})
    assert chair.post("checks/pass").status_code == 200  # 150/95: within the IV limits
    no_lot = chair.post("doses", action="iv_start", drawn_mg="50")
    assert no_lot.json()["detail"][0]["loc"][-1] == "container"
    started = chair.post(
        "doses", action="iv_start", drawn_mg="50", container=vault(world)["ketamine"]
    )
    assert started.status_code == 201, started.content
    assert started.json()["data"]["rate_ml_per_h"] == "75.0"  # from the signed order: 50 mL bag
    assert chair.refresh()["due"][0] == {"what": "vitals", "at_min": 10, "overdue": False}
    clock.shift(timedelta(minutes=11))
    assert chair.refresh()["due"][0]["overdue"] is True
    alert = chair.post("vitals", **{**GOOD_VITALS, "systolic_mmhg": 184, "diastolic_mmhg": 100})
    assert alert.json()["data"]["alerts"] == ["systolic 184 > 180 mmHg"]
    assert chair.refresh()["alerts"] == ["systolic 184 > 180 mmHg"]
    assert chair.post("doses", action="iv_pause", note="BP").status_code == 201
    assert chair.post("doses", action="iv_pause").status_code == 409
    clock.shift(timedelta(minutes=5))
    chair.post("vitals", **GOOD_VITALS)
    assert chair.post("doses", action="iv_resume").status_code == 201
    clock.shift(timedelta(minutes=34))
    too_much = chair.post("doses", action="iv_stop", given_mg="36")
    assert too_much.json()["detail"][0]["loc"][-1] == "given_mg"
    wrong_waste = chair.post("doses", action="iv_stop", given_mg="35", waste_mg="14")
    assert "leaves 15" in wrong_waste.json()["detail"][0]["msg"]
    stopped = chair.post("doses", action="iv_stop", given_mg="35")
    assert stopped.json()["data"]["waste_mg"] == "15.00"  # STORIES: 15 mg witnessed waste
    assert chair.refresh()["state"] == "monitoring"
    clock.shift(timedelta(minutes=31))
    chair.post("observations", scale="moaas", score=5)
    chair.post("vitals", **GOOD_VITALS)
    assert chair.post("ready", responsible_adult="Pat Walker").status_code == 200
    assert chair.post("discharge").status_code == 200
    scheduled = ScheduledSession.objects.get(treatment_session__isnull=False)
    assert "vitals alerted (systolic 184 > 180 mmHg)" in scheduled.poorly_tolerated


def test_esketamine_blood_pressure_hold_needs_a_prescriber(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    ready_to_dose(world, chair, {**GOOD_VITALS, "systolic_mmhg": 146, "diastolic_mmhg": 88})
    assert chair.refresh()["pre_dose_overridable"] == [
        "146/88 mmHg is above 140/90: hold the dose unless a prescriber overrides with a reason"
    ]
    nurse = chair.post("checks/pass", override_reason="it was fine last time")
    assert nurse.status_code == 409
    assert "a prescriber must override" in nurse.json()["detail"]
    doctor = Chair(world, chair.id, "prescriber")
    doctor.refresh()
    short = doctor.post("checks/pass", override_reason="ok")
    assert short.json()["detail"][0]["loc"][-1] == "override_reason"
    passed = doctor.post(
        "checks/pass", override_reason="White-coat rise; home readings 130/80 all week"
    )
    assert passed.status_code == 200
    assert passed.json()["bp_override_reason"].startswith("White-coat")


def test_no_dosing_above_180_110_even_for_a_prescriber(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "iv_racemic"), "prescriber")
    chair.refresh()
    ready_to_dose(world, chair, {**GOOD_VITALS, "systolic_mmhg": 182, "diastolic_mmhg": 100})
    refused = chair.post("checks/pass", override_reason="I know this patient well enough")
    assert refused.status_code == 409
    assert "182/100 mmHg is above 180/110: no dosing today" in refused.json()["detail"]
    aborted = Chair(world, chair.id, "front_desk")
    aborted.version = chair.refresh()["version"]
    assert aborted.post("abort", reason="BP too high today").json()["state"] == "aborted"
    assert ScheduledSession.objects.filter(state="cancelled").count() == 1


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"identity_confirmed": False}, "identity not confirmed"),
        ({"ride_home": False}, "no ride home arranged"),
    ],
)
def test_blocking_checks(world: World, clock: Any, change: dict[str, Any], problem: str) -> None:
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    checks = chair.refresh()["entries"]
    first = next(e for e in checks if e["type"] == "checks")
    corrected = chair.post(
        "checks", **{**CHECKS, **change}, corrects=first["id"], correction_reason="asked again"
    )
    assert corrected.status_code == 201
    refused = chair.post("checks/pass")
    assert refused.status_code == 409
    assert problem in refused.json()["detail"]


def test_esketamine_fasting_and_the_pre_dose_phq9(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    Chair(world, chair.id, "front_desk").post("check-in")
    chair.refresh()
    recent = (timezone.now() - timedelta(minutes=20)).isoformat()
    chair.post("checks", **CHECKS, last_food_at=recent, last_liquid_at=recent)
    chair.post("vitals", **GOOD_VITALS)
    body = chair.refresh()
    assert body["pre_dose_problems"] == ["no pre-dose PHQ-9 today"]
    assert body["pre_dose_overridable"] == [
        "food within 2 hours of dosing (or not recorded)",
        "liquids within 30 minutes of dosing (or not recorded)",
    ]


def test_two_nurses_at_once_conflict_instead_of_overwriting(world: World, clock: Any) -> None:
    session_id = start(world)
    first, second = Chair(world, session_id), Chair(world, session_id, "prescriber")
    Chair(world, session_id, "front_desk").post("check-in")
    first.refresh()
    second.refresh()
    assert first.post("vitals", **GOOD_VITALS).status_code == 201
    stale = second.post("vitals", **GOOD_VITALS)
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    second.refresh()
    assert second.post("vitals", **GOOD_VITALS).status_code == 201


def test_an_entry_claims_the_session_and_a_step_versions_it(world: World, clock: Any) -> None:
    """An entry bumps the session's version (so a tablet that missed it gets a conflict) but
    leaves no session history row, since nothing of the session changed; a step does."""
    chair = Chair(world, start(world))
    versions = TreatmentSession.history.filter(id=chair.id)
    ready_to_dose(world, chair)
    before, version = versions.count(), chair.version
    assert chair.post("vitals", **GOOD_VITALS).status_code == 201
    assert (chair.version, versions.count()) == (version + 1, before)
    assert chair.post("checks/pass").status_code == 200
    latest = versions.first()
    assert latest is not None
    assert (versions.count(), latest.state, latest.version) == (before + 1, "checks_passed",
                                                                 chair.version)  # fmt: skip
    step = TreatmentSession.objects.get(pk=chair.id).transitions.get(to_state="checks_passed")
    assert step.from_state == "checked_in"


def test_corrections_keep_the_original(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    Chair(world, chair.id, "front_desk").post("check-in")
    chair.refresh()
    typo = chair.post("vitals", **{**GOOD_VITALS, "heart_rate_bpm": 27}).json()
    fixed = chair.post(
        "vitals", **GOOD_VITALS, corrects=typo["id"], correction_reason="typed 27 for 72"
    )
    assert fixed.status_code == 201
    again = chair.post("vitals", **GOOD_VITALS, corrects=typo["id"], correction_reason="again")
    assert again.status_code == 409
    entries = [e for e in chair.refresh()["entries"] if e["type"] == "vitals"]
    assert [(e["data"]["heart_rate_bpm"], e["current"]) for e in entries] == [
        (27, False),
        (72, True),
    ]
    assert chair.post("vitals", systolic_mmhg=1200, diastolic_mmhg=80).json()["detail"][0]["loc"][
        -1
    ] == ("systolic_mmhg")


def test_illegal_steps_are_refused(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    chair.refresh()
    early = chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert early.status_code == 409
    assert chair.post("checks/pass").status_code == 409  # not checked in
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    assert (
        chair.post(
            "doses", action="iv_start", drawn_mg="50", container=vault(world)["esketamine"]
        ).status_code
        == 422
    )
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    late_abort = Chair(world, chair.id, "front_desk")
    late_abort.version = chair.refresh()["version"]
    refused = late_abort.post("abort", reason="changed mind")
    assert refused.status_code == 409
    assert "only before the first dose" in refused.json()["detail"]
    assert Administration.objects.count() == 1


def test_a_session_opens_only_today_under_a_signed_course(world: World, clock: Any) -> None:
    start(world)
    course_id = str(TreatmentSession.objects.get().course_id)
    desk = world.api("front_desk")
    again = desk.post(f"/courses/{course_id}/sessions", {})
    assert again.status_code == 409
    assert "already open" in again.json()["detail"]
    later = ScheduledSession.objects.filter(on__gt=timezone.localdate()).first()
    assert later is not None
    future = desk.post(f"/courses/{course_id}/sessions", {"scheduled": str(later.pk)})
    assert future.status_code == 409
    assert "not today" in future.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "read", "write", "check_in"),
    [
        ("prescriber", 200, 201, 200),
        ("nurse", 200, 201, 200),
        ("front_desk", 403, 403, 200),
        ("admin", 403, 403, 403),
        ("patient", 404, 404, 404),
        ("other_clinic_nurse", 404, 404, 404),
        (None, 401, 401, 401),
    ],
)
def test_who_works_at_the_chair(
    world: World, clock: Any, persona: str | None, read: int, write: int, check_in: int
) -> None:
    session_id = start(world)
    api = world.api(persona)
    assert api.post(f"/sessions/{session_id}/check-in", {"version": 1}).status_code == check_in
    version = 2 if check_in == 200 else 1
    if version == 1:
        world.api("front_desk").post(f"/sessions/{session_id}/check-in", {"version": 1})
    assert api.get(f"/sessions/{session_id}").status_code == read
    vitals = api.post(f"/sessions/{session_id}/vitals", {"version": 2, **GOOD_VITALS})
    assert vitals.status_code == write
    listing = api.get("/sessions")
    expected = {None: 401, "front_desk": 403, "admin": 403, "patient": 403}.get(persona, 200)
    assert listing.status_code == expected
    if persona == "other_clinic_nurse":
        assert listing.json() == []


def test_an_intramuscular_injection(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "im_racemic"))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    wrong = chair.post(
        "doses", action="iv_start", drawn_mg="50", container=vault(world)["ketamine"]
    )
    assert wrong.json()["detail"][0]["loc"][-1] == "action"
    short = chair.post(
        "doses",
        action="im_injection",
        drawn_mg="30",
        given_mg="30",
        container=vault(world)["ketamine"],
    )
    assert "less than the ordered 35" in short.json()["detail"][0]["msg"]
    given = chair.post(
        "doses",
        action="im_injection",
        drawn_mg="40",
        given_mg="35",
        container=vault(world)["ketamine"],
    )
    assert given.status_code == 201, given.content
    assert given.json()["data"]["waste_mg"] == "5.00"
    body = chair.refresh()
    assert body["state"] == "monitoring"
    assert body["due"][0]["at_min"] == 15  # every 15 minutes after an injection


def test_observation_ranges_and_times(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    for scale, bad in (("moaas", 6), ("cadss", 93), ("cadss", 200), ("bprs_plus", 3)):
        response = chair.post("observations", scale=scale, score=bad)
        assert response.status_code == 422, scale
        assert response.json()["detail"][0]["loc"][-1] == "score"
    for scale, top in (("moaas", 5), ("cadss", 92), ("bprs_plus", 28)):
        assert chair.post("observations", scale=scale, score=top).status_code == 201
    page = world.client("nurse").get(f"/chair/{chair.id}/").content.decode()
    assert 'min="0" max="92"' in page
    assert 'min="4" max="28"' in page
    future = (timezone.now() + timedelta(minutes=5)).isoformat()
    ahead = chair.post("observations", scale="moaas", score=5, at=future)
    assert ahead.json()["detail"][0]["loc"][-1] == "at"
    late_entry = (timezone.now() - timedelta(minutes=3)).isoformat()
    assert chair.post("observations", scale="moaas", score=4, at=late_entry).status_code == 201


def test_outcomes_count_from_the_first_dose_at_the_chair(world: World, clock: Any) -> None:
    from ketamine_clinic.assessments.outcomes import first_dose_at

    chair = Chair(world, start(world))
    assert first_dose_at(world.patient) is None
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert first_dose_at(world.patient) == timezone.now()


def test_each_device_is_booked_in_the_ledger_with_the_dose(world: World, clock: Any) -> None:
    from ketamine_clinic.inventory.models import LedgerTransaction

    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    kit = vault(world)["esketamine"]
    chair.post("doses", action="device", container=kit)
    clock.shift(timedelta(minutes=5))
    chair.post("doses", action="device", container=kit)
    booked = LedgerTransaction.objects.filter(kind="administer").order_by("event_at")
    assert [(t.quantity_mg, t.balance_after_mg) for t in booked] == [
        (Decimal(28), Decimal(28)),
        (Decimal(28), Decimal(0)),
    ]
    assert all(t.session_id is not None and t.administration_id is not None for t in booked)
    assert {t.patient_id for t in booked} == {world.patient.pk}
    assert Container.objects.get(pk=kit).balance_mg == 0


def test_the_left_over_infusion_is_wasted_before_a_witness(world: World, clock: Any) -> None:
    from tests.conftest import PASSWORD

    chair = Chair(world, start(world, "iv_racemic"))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    vial = vault(world)["ketamine"]
    chair.post("doses", action="iv_start", drawn_mg="50", container=vial)
    clock.shift(timedelta(minutes=40))
    chair.post("doses", action="iv_stop", given_mg="35")
    assert Container.objects.get(pk=vial).balance_mg == Decimal(465)  # 35 mg administered
    clock.shift(timedelta(minutes=31))
    chair.post("observations", scale="moaas", score=5)
    chair.post("vitals", **GOOD_VITALS)
    chair.post("ready", responsible_adult="Pat Walker")
    chair.post("discharge")
    unsigned = chair.post("sign")
    assert unsigned.status_code == 409
    assert "15.00 mg left over awaits a witnessed waste" in unsigned.json()["detail"]
    self_witness = chair.post("waste", witness_username="nurse", witness_password=PASSWORD)
    assert self_witness.json()["detail"][0]["loc"][-1] == "witness"
    wasted = chair.post("waste", witness_username="prescriber", witness_password=PASSWORD)
    assert wasted.status_code == 201, wasted.content
    assert wasted.json()["quantity_mg"] == "15.00"
    assert Container.objects.get(pk=vial).balance_mg == Decimal(450)
    assert (
        chair.post("waste", witness_username="prescriber", witness_password=PASSWORD).status_code
        == 409
    )
    assert chair.post("sign").status_code == 200


def test_a_dose_and_its_ledger_entry_commit_together(
    world: World, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    chair.post("checks/pass")

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the ledger write failed")

    monkeypatch.setattr(ledger, "move", fail)
    with pytest.raises(RuntimeError):
        chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert Administration.objects.count() == 0
    assert TreatmentSession.objects.get(pk=chair.id).state == "checks_passed"


def test_doses_only_from_a_fitting_current_container(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    wrong = chair.post("doses", action="device", container=vault(world)["ketamine"])
    assert "not esketamine" in wrong.json()["detail"][0]["msg"]
    Container.objects.filter(pk=vault(world)["esketamine"]).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    expired = chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert expired.status_code == 422
    assert "expired" in expired.json()["detail"][0]["msg"]
    assert Administration.objects.count() == 0
