"""The outcome report against a hand-built cohort: response and remission by protocol and
route, time to response, Kaplan-Meier durability, adverse events, BP excursions, REMS
timeliness, ledger discrepancies; filters; CSV; who may read it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.patients.actions import insert_patient
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment_sessions.models import TreatmentSession
from tests.conftest import World
from tests.factories.chair import GOOD_VITALS, Chair, ready_to_dose, start, vault
from tests.factories.outcomes import phq9


def course(world: World, name: str, product: str, protocol: str) -> Patient:
    patient = insert_patient(Actor(user=world.users["front_desk"]), world.clinic, {
        "given_name": name, "family_name": "Cohort", "birth_date": "1980-01-01", "sex": "female",
    })  # fmt: skip
    Course.objects.create(
        patient=patient, protocol_id=protocol, protocol_version="1", product=product,
        state=Course.State.ACTIVE, start_on=(timezone.now() - timedelta(days=60)).date(),
        created_by=world.users["prescriber"],
    )  # fmt: skip
    return patient


@pytest.fixture
def cohort(world: World) -> World:
    """P1 IV: 20 -> 8 (day 7) -> 3 -> 4: responds on day 7 and remits, still responding at
    day 28. P2 IV: 18 -> 12 -> 8 (day 14) -> 15 (day 21) -> 16 (day 28): responds, then
    relapses (confirmed on two scores 7 days apart). P3 esketamine: 16 -> 14 -> 13, no
    response. P4 esketamine: scores only after a dose, so no baseline."""
    iv, esk = ("iv_racemic", "iv-racemic-standard"), ("esketamine_nasal", "esketamine-trd-us")
    p1, p2 = course(world, "One", *iv), course(world, "Two", *iv)
    p3, p4 = course(world, "Three", *esk), course(world, "Four", *esk)
    for patient, scores in (
        (p1, [(0, 20), (7, 8), (14, 3), (28, 4)]),
        (p2, [(0, 18), (7, 12), (14, 8), (21, 15), (28, 16)]),
        (p3, [(0, 16), (7, 14), (14, 13)]),
    ):
        (day, total), *rest = scores
        phq9(world, patient, day - 1, total, "baseline")
        phq9(world, patient, day, total, "pre_dose")  # the first treatment
        for later_day, later in rest:
            phq9(world, patient, later_day, later)
    phq9(world, p4, 3, 12, "24h")
    phq9(world, p4, 10, 10)
    return world


def report(world: World, persona: str = "admin", **params: Any) -> Any:
    today = timezone.localdate()
    query = {"start": str(today - timedelta(days=90)), "end": str(today), **params}
    return world.api(persona).get("/reports/outcomes", data=query)


def test_outcomes_against_the_hand_built_cohort(cohort: World) -> None:
    body = report(cohort).json()
    assert body["cohort"] == {"courses": 4, "patients": 4}
    overall = body["overall"]
    assert (overall["patients"], overall["measured"]) == (4, 3)
    assert (overall["response_now"], overall["response_now_pct"]) == (1, 33.3)
    assert (overall["remission_now"], overall["ever_responded"]) == (1, 2)
    assert overall["median_days_to_response"] == 10.5  # days 7 and 14
    groups = {(g["protocol"], g["route"]): g for g in body["by_group"]}
    iv = groups[("iv-racemic-standard", "iv")]
    assert (iv["measured"], iv["response_now_pct"], iv["ever_responded_pct"]) == (2, 50.0, 100.0)
    esk = groups[("esketamine-trd-us", "intranasal")]
    assert (esk["patients"], esk["measured"], esk["response_now"]) == (2, 1, 0)
    durability = body["durability"]
    assert (durability["responders"], durability["relapses"]) == (2, 1)
    assert durability["curve"][0] == {
        "day": 7, "at_risk": 2, "events": 1, "censored": 0, "survival": 0.5
    }  # P2's response lasted 7 days; P1's 21 and counting  # fmt: skip
    assert durability["median_days"] == 7
    filtered = report(cohort, protocol="esketamine-trd-us").json()
    assert filtered["cohort"]["patients"] == 2
    csv = report(cohort, format="csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0].startswith("protocol,route,patients,measured")
    assert len(csv.content.decode().splitlines()) == 4  # header, two groups, overall


def test_sessions_rems_and_the_ledger(world: World, clock: Any) -> None:
    """Journey 3 with a blood pressure of 184/96 at 40 minutes and mild nausea."""
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    for _device in range(2):
        chair.post("doses", action="device", container=vault(world)["esketamine"])
        clock.shift(timedelta(minutes=5))
    clock.shift(timedelta(minutes=30))
    chair.post("vitals", **{**GOOD_VITALS, "systolic_mmhg": 184, "diastolic_mmhg": 96})
    assert chair.post("adverse-events", kind="nausea", severity="mild",
                      action_taken="ginger ale").status_code == 201  # fmt: skip
    chair.post("observations", scale="cadss", score=9)
    clock.shift(timedelta(minutes=81))
    nausea = next(e for e in chair.refresh()["entries"] if e["type"] == "adverse_event")
    chair.post("adverse-events", kind="nausea", severity="mild",
               resolved_at=timezone.now().isoformat(), corrects=nausea["id"])  # fmt: skip
    chair.post("observations", scale="moaas", score=5)
    chair.post("vitals", **GOOD_VITALS)
    ready = chair.post("ready", responsible_adult="Pat", ready_without_rule_min=75)
    assert ready.status_code == 200, ready.content
    assert chair.post("discharge").status_code == 200
    body = report(world).json()
    assert body["sessions"] == 1
    assert body["adverse_events"] == [
        {"kind": "nausea", "severity": "mild", "count": 1, "per_100_sessions": 100.0}
    ]
    assert body["blood_pressure"]["sessions_with_excursion"] == 1
    assert body["rems"] == {"forms": 1, "submitted": 0, "within_7_days": 0,
                            "within_7_days_pct": 0.0, "overdue": 0}  # fmt: skip
    TreatmentSession.objects.filter(pk=chair.id).update(rems_submitted_at=timezone.now())
    assert report(world).json()["rems"]["within_7_days_pct"] == 100.0
    assert body["ledger"]["counts_with_shortfall"] == 0


def test_bad_requests(world: World) -> None:
    today = timezone.localdate()
    backwards = report(world, start=str(today), end=str(today - timedelta(days=1)))
    assert backwards.json()["detail"][0]["loc"][-1] == "end"
    assert report(world, instrument="cadss").json()["detail"][0]["loc"][-1] == "instrument"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("prescriber", 200), ("nurse", 403), ("front_desk", 403),
     ("patient", 403), (None, 401)],
)  # fmt: skip
def test_who_reads_the_outcomes(world: World, persona: str | None, status: int) -> None:
    assert report(world, persona).status_code == status  # type: ignore[arg-type]


def test_another_clinic_sees_only_its_own(cohort: World) -> None:
    assert report(cohort, "other_clinic_nurse").status_code == 403


def test_the_outcomes_screen(cohort: World) -> None:
    client = cohort.client("prescriber")
    page = client.get("/reports/outcomes/").content.decode()
    assert 'id="by-group"' in page
    assert "iv-racemic-standard" in page
    assert "Median duration of response: 7 days" in page
    today = timezone.localdate()
    query = {"start": str(today - timedelta(days=90)), "end": str(today), "instrument": "phq9"}
    svg = client.get("/reports/outcomes/durability.svg", query)
    assert svg["Content-Type"] == "image/svg+xml"
    assert "Kaplan-Meier" in svg.content.decode()
    bars = client.get("/reports/outcomes/response.svg", query).content.decode()
    assert "Response and remission now" in bars
    csv = client.get("/reports/outcomes/", {**query, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    backwards = client.get("/reports/outcomes/", {**query, "end": "2000-01-01"})
    assert "must not be before start" in backwards.content.decode()
    assert cohort.client("nurse").get("/reports/outcomes/").status_code == 403
    assert cohort.client("front_desk").get("/reports/outcomes/").status_code == 403
    assert "Outcomes</a>" in cohort.client("admin").get("/vault/").content.decode()


def test_a_prescribers_cohort_counts_each_course(world: World) -> None:
    """Two courses of one patient on the same protocol, both signed by the prescriber: two
    courses and one patient, with or without the prescriber filter."""
    patient = course(world, "Twice", "iv_racemic", "iv-racemic-standard")
    Course.objects.create(
        patient=patient, protocol_id="iv-racemic-standard", protocol_version="1",
        product="iv_racemic", state=Course.State.ACTIVE,
        start_on=(timezone.now() - timedelta(days=20)).date(),
        created_by=world.users["prescriber"],
    )  # fmt: skip
    for each in Course.objects.filter(patient=patient):
        DoseOrder.objects.create(
            patient=patient, course=each, dose_mg=35, calculation={"dose_mg": "35"},
            signed_at=timezone.now(), signed_by=world.users["prescriber"],
            created_by=world.users["prescriber"],
        )  # fmt: skip
    everyone = report(world).json()["cohort"]
    mine = report(world, prescriber=str(world.users["prescriber"].pk)).json()["cohort"]
    assert everyone == mine == {"courses": 2, "patients": 1}
