"""Assessments over the API: scoring, validation, self-report, alerts, outcomes, links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ketamine_clinic.assessments.models import Assessment, AssessmentLink, SafetyAlert
from tests.conftest import World


def phq9(total_per_item: int = 1, item9: int = 0, **extra: Any) -> dict[str, Any]:
    items = {str(n): total_per_item for n in range(1, 9)} | {"9": item9}
    return {
        "instrument": "phq9",
        "items": items,
        "administered_at": extra.pop("at", "2026-01-05T09:00:00+00:00"),
        "context": extra.pop("context", "weekly"),
        **extra,
    }


def path(world: World, patient: str = "patient") -> str:
    target = world.own_patient if patient == "own" else world.patient
    return f"/patients/{target.pk}/assessments"


def test_record_returns_total_severity_and_flags(world: World) -> None:
    response = world.api("nurse").post(path(world), phq9(2, item9=0))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == 16
    assert body["severity"] == "moderately_severe"
    assert body["severity_label"] == "Moderately severe"
    assert body["flags"] == []
    assert body["alert_ids"] == []
    assert body["instrument_version"] == "2001"
    assert body["source"] == "staff"


def test_item9_raises_an_alert(world: World) -> None:
    response = world.api("nurse").post(path(world), phq9(1, item9=1))
    body = response.json()
    assert [f["code"] for f in body["flags"]] == ["phq9_item9"]
    assert len(body["alert_ids"]) == 1
    alert = SafetyAlert.objects.get(pk=body["alert_ids"][0])
    assert alert.is_open
    assert alert.patient == world.patient
    assert body["crisis_resources"] is None  # staff entered it


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"items": {str(n): 1 for n in range(1, 9)}}, "9", "is missing"),
        ({"items": {str(n): 1 for n in range(1, 10)} | {"3": 4}}, "3", "between 0 and 3"),
        ({"items": {str(n): 1 for n in range(1, 10)} | {"3": -1}}, "3", "between 0 and 3"),
        ({"items": {str(n): 1 for n in range(1, 10)} | {"3": 1.5}}, "3", "whole number"),
        ({"items": {str(n): 1 for n in range(1, 10)} | {"3": True}}, "3", "whole number"),
        ({"items": {str(n): 1 for n in range(1, 10)} | {"10": 1}}, "10", "not an item"),
        ({"instrument": "beck"}, "instrument", "unknown instrument 'beck'"),
        ({"administered_at": "2999-01-01T00:00:00Z"}, "administered_at", "future"),
        ({"administered_at": "2026-01-05T09:00:00"}, "administered_at", "timezone"),
        ({"context": "sometime"}, "context", "Input should be"),
    ],
)
def test_bad_input_is_422_naming_the_problem_and_stores_nothing(
    world: World, change: dict[str, Any], field: str, message: str
) -> None:
    response = world.api("nurse").post(path(world), {**phq9(), **change})
    assert response.status_code == 422, response.content
    errors = {str(e["loc"][-1]): e["msg"] for e in response.json()["detail"]}
    assert field in errors, errors
    assert message.lower() in errors[field].lower()
    assert Assessment.objects.count() == 0
    assert SafetyAlert.objects.count() == 0


def test_patient_self_reports_for_themselves_only(world: World) -> None:
    api = world.api("patient")
    mine = api.post(path(world, "own"), phq9(1, item9=2))
    assert mine.status_code == 201
    assert mine.json()["source"] == "portal"
    assert "988" in mine.json()["crisis_resources"]
    assert api.post(path(world), phq9()).status_code == 404  # someone else
    madrs = {
        "instrument": "madrs",
        "items": {str(n): 1 for n in range(1, 11)},
        "administered_at": "2026-01-05T09:00:00Z",
        "context": "weekly",
    }
    refused = api.post(path(world, "own"), madrs)
    assert refused.status_code == 422
    assert "rated by a clinician" in refused.content.decode()


def test_severe_worsening_raises_an_alert(world: World) -> None:
    api = world.api("nurse")
    api.post(path(world), phq9(1, at="2026-01-01T09:00:00Z"))  # 8
    worse = api.post(path(world), phq9(3, at="2026-01-08T09:00:00Z"))  # 24
    kinds = set(
        SafetyAlert.objects.filter(pk__in=worse.json()["alert_ids"]).values_list("kind", flat=True)
    )
    assert kinds == {"severe_worsening"}
    # A rise that stays below the severe band is not an alert.
    api.post(path(world), phq9(2, at="2026-01-15T09:00:00Z"))  # 16
    assert SafetyAlert.objects.count() == 1


def test_entered_in_error_leaves_the_outcomes(world: World) -> None:
    api = world.api("prescriber")
    api.post(path(world), phq9(2, context="baseline", at="2026-01-01T09:00:00Z"))  # 16
    wrong = api.post(path(world), phq9(0, at="2026-01-08T09:00:00Z")).json()
    outcome = api.get(f"/patients/{world.patient.pk}/outcomes").json()[0]
    assert outcome["status"] == "remission"
    api.post(
        f"{path(world)}/{wrong['id']}/entered-in-error",
        {"version": 1, "reason": "other patient's form"},
    )
    outcome = api.get(f"/patients/{world.patient.pk}/outcomes").json()[0]
    assert outcome["status"] == "no_response"
    listed = api.get(path(world)).json()
    assert {a["status"] for a in listed} == {"active", "entered_in_error"}


def test_outcomes_over_an_induction(world: World) -> None:
    api = world.api("nurse")
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    scores = [
        (0, 21, "baseline"),
        (1, 21, "pre_dose"),
        (1.2, 8, "4h"),
        (2, 12, "24h"),
        (8, 10, "pre_dose"),
        (15, 9, "weekly"),
        (22, 4, "weekly"),
    ]
    for days, total, context in scores:
        items = {str(n): 0 for n in range(1, 10)}
        for n in range(total):
            items[str(n % 8 + 1)] += 1
        at = (start + timedelta(days=days)).isoformat()
        assert (
            api.post(
                path(world),
                {"instrument": "phq9", "items": items, "administered_at": at, "context": context},
            ).status_code
            == 201
        )
    body = api.get(f"/patients/{world.patient.pk}/outcomes").json()
    phq = next(o for o in body if o["instrument"] == "phq9")
    assert phq["status"] == "remission"
    assert phq["baseline"]["total"] == 21
    assert phq["change"] == -17
    assert phq["days_to_first_response"] == 7  # from the first dose (day 1) to day 8
    assert len(phq["trajectory"]) == 7
    acute = {d["context"]: d for d in phq["dose_responses"]}
    assert acute["4h"]["pct_change"] == -61.9
    assert acute["4h"]["response"] is True
    assert acute["24h"]["response"] is False


def test_clinic_can_set_its_own_remission_threshold(world: World) -> None:
    world.clinic.remission_thresholds = {"phq9": 2}
    world.clinic.save()
    api = world.api("nurse")
    api.post(path(world), phq9(2, context="baseline", at="2026-01-01T09:00:00Z"))
    api.post(
        path(world),
        {
            **phq9(0, at="2026-01-08T09:00:00Z"),
            "items": {str(n): 0 for n in range(1, 10)} | {"1": 3},
        },
    )
    outcome = api.get(f"/patients/{world.patient.pk}/outcomes").json()[0]
    assert outcome["remission_at_most"] == 2
    assert outcome["status"] == "response"


def test_instrument_catalogue_lists_items_scoring_and_codes(world: World) -> None:
    body = {i["id"]: i for i in world.api("nurse").get("/instruments").json()}
    assert set(body) >= {
        "phq9",
        "gad7",
        "qids_sr16",
        "madrs",
        "cadss",
        "moaas",
        "bprs_positive",
        "suicide_risk",
    }
    assert body["phq9"]["loinc_panel"] == "44249-1"
    assert body["phq9"]["items"][8]["loinc"] == "44260-8"
    assert body["qids_sr16"]["scoring_groups"][0] == ["1", "2", "3", "4"]
    assert body["madrs"]["bands"][-1] == {
        "low": 35,
        "high": 60,
        "code": "severe",
        "label": "Severe",
    }


SCREENER = {
    "id": "clinic-cssrs",
    "version": "1",
    "name": "Licensed screener (loaded by the clinic)",
    "short_name": "Screen",
    "respondent": "clinician",
    "items": [
        {"id": "q1", "text": "Question 1", "max": 1},
        {"id": "q2", "text": "Question 2", "max": 1},
    ],
    "flags": [{"code": "q2_yes", "message": "Q2 yes", "item": "q2", "at_least": 1, "alert": True}],
}


def test_admin_loads_an_instrument_that_the_clinic_can_then_use(world: World) -> None:
    loaded = world.api("admin").post("/instruments", {"definition": SCREENER})
    assert loaded.status_code == 201
    assert world.api("admin").post("/instruments", {"definition": SCREENER}).status_code == 409
    ids = [i["id"] for i in world.api("nurse").get("/instruments").json()]
    assert "clinic-cssrs" in ids
    other_ids = [i["id"] for i in world.api("other_clinic_nurse").get("/instruments").json()]
    assert "clinic-cssrs" not in other_ids
    body = {
        "instrument": "clinic-cssrs",
        "items": {"q1": 1, "q2": 1},
        "administered_at": "2026-01-05T09:00:00Z",
        "context": "ad_hoc",
    }
    recorded = world.api("nurse").post(path(world), body)
    assert recorded.status_code == 201
    assert len(recorded.json()["alert_ids"]) == 1


def test_bad_definitions_list_every_problem(world: World) -> None:
    bad = {**SCREENER, "respondent": "robot", "items": []}
    response = world.api("admin").post("/instruments", {"definition": bad})
    assert response.status_code == 422
    errors = {".".join(map(str, e["loc"][2:])): e["msg"] for e in response.json()["detail"]}
    assert "respondent" in errors
    assert "items" in errors
    builtin = world.api("admin").post("/instruments", {"definition": {**SCREENER, "id": "phq9"}})
    assert "is a built-in instrument" in builtin.content.decode()


def test_acknowledge_needs_a_note_and_happens_once(world: World) -> None:
    alert_id = world.api("nurse").post(path(world), phq9(1, item9=1)).json()["alert_ids"][0]
    api = world.api("prescriber")
    short = api.post(f"/alerts/{alert_id}/acknowledge", {"action_note": "ok"})
    assert short.status_code == 422
    done = api.post(
        f"/alerts/{alert_id}/acknowledge", {"action_note": "Called her; safe; plan reviewed"}
    )
    assert done.status_code == 200
    assert done.json()["acknowledged_at"] is not None
    again = api.post(f"/alerts/{alert_id}/acknowledge", {"action_note": "Called her again today"})
    assert again.status_code == 409
    assert api.get("/alerts").json() == []
    assert len(api.get("/alerts", data={"status": "acknowledged"}).json()) == 1


# --- Questionnaire links -------------------------------------------------------------------


def make_link(world: World, **body: Any) -> str:
    response = world.api("front_desk").post(
        f"/patients/{world.patient.pk}/assessment-links", {"instrument": "phq9", **body}
    )
    assert response.status_code == 201, response.content
    return response.json()["url"]


def answers_form(total_per_item: int = 1, item9: int = 0) -> dict[str, int]:
    return {f"item_{n}": total_per_item for n in range(1, 9)} | {"item_9": item9}


def test_link_works_once(world: World) -> None:
    url = make_link(world)
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert b"Little interest or pleasure" in page.content
    assert b"not watched around the clock" in page.content
    done = client.post(url, answers_form())
    assert done.status_code == 200
    assert b"Thank you" in done.content
    assessment = Assessment.objects.get()
    assert (assessment.source, assessment.total, assessment.patient) == ("link", 8, world.patient)
    again = client.post(url, answers_form(2))
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert Assessment.objects.count() == 1


def test_link_expires(world: World) -> None:
    url = make_link(world, expires_in_hours=1)
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        response = Client().post(url, answers_form())
    assert response.status_code == 410
    assert b"expired" in response.content
    assert Assessment.objects.count() == 0


def test_bad_link_and_incomplete_answers(world: World) -> None:
    assert Client().get("/q/q_nonsense/").status_code == 410
    assert Client().get("/q/abc/").status_code == 410
    url = make_link(world)
    partial = Client().post(url, {"item_1": 1})
    assert partial.status_code == 200
    assert b"Please answer every question" in partial.content
    assert Assessment.objects.count() == 0
    assert AssessmentLink.objects.get().used_at is None


def test_link_with_item9_shows_crisis_page_and_alerts(world: World) -> None:
    url = make_link(world)
    page = Client().post(url, answers_form(1, item9=1))
    assert b"help is available now" in page.content
    assert b'href="tel:988"' in page.content
    assert SafetyAlert.objects.filter(patient=world.patient).count() == 1


def test_link_requests_are_validated(world: World) -> None:
    api = world.api("nurse")
    base = f"/patients/{world.patient.pk}/assessment-links"
    assert api.post(base, {"instrument": "madrs"}).status_code == 422  # clinician-rated
    assert api.post(base, {"instrument": "phq9", "expires_in_hours": 0}).status_code == 422
    assert api.post(base, {"instrument": "nope"}).status_code == 422
