"""Titration suggestions on a real course: doses given, scores recorded, the prescriber's
decision; with the denials."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.treatment.models import TitrationDecision
from tests.conftest import World
from tests.factories.courses import (
    give,
    score,
    signed_course,
)


@pytest.fixture
def course(world: World) -> dict[str, Any]:
    return signed_course(world)


@pytest.fixture
def later() -> Iterator[None]:
    with time_machine.travel(timezone.now() + timedelta(days=9), tick=False):
        yield


def titration(world: World, course: dict[str, Any], persona: str = "prescriber") -> Any:
    return world.api(persona).get(f"/courses/{course['id']}/titration")


def test_no_response_after_four_doses_suggests_a_higher_dose(
    world: World, course: dict[str, Any], later: None
) -> None:
    give(world, course, 3)
    score(world, 14)  # 22% better than 18: no response
    assert titration(world, course).json()["suggestions"] == []
    give_fourth = course["schedule"][3]
    world.api("nurse").post(f"/schedule/{give_fourth['id']}/done", {"version": 1, "note": "given"})
    (suggestion,) = titration(world, course).json()["suggestions"]
    assert suggestion["rule"] == "no-response-escalate"
    assert suggestion["proposed_mg_per_kg"] == "0.75"
    assert "PHQ-9 18 at baseline, 14 now" in suggestion["detail"]
    assert "Murrough" in suggestion["source"]
    assert "Decision support" in suggestion["estimate"]
    assert AccessLog.objects.filter(what="titration", action="read").exists()


def test_a_response_means_no_escalation(world: World, course: dict[str, Any], later: None) -> None:
    give(world, course, 4)
    score(world, 9)  # half of 18: a response
    assert titration(world, course).json()["suggestions"] == []


def test_dismissing_and_accepting(world: World, course: dict[str, Any], later: None) -> None:
    give(world, course, 4)
    score(world, 14)
    api = world.api("prescriber")
    (suggestion,) = titration(world, course).json()["suggestions"]
    decision = {
        "rule": suggestion["rule"],
        "situation": suggestion["situation"],
        "decision": "dismissed",
        "note": "BP rose to 165/95 last time; stay at 0.5 for two more",
    }
    assert (
        api.post(f"/courses/{course['id']}/titration", {**decision, "note": ""}).status_code == 422
    )
    made = api.post(f"/courses/{course['id']}/titration", decision)
    assert made.status_code == 201, made.content
    assert made.json()["suggestion"]["proposed_mg_per_kg"] == "0.75"
    after = titration(world, course).json()
    assert after["suggestions"] == []
    assert after["decisions"][0]["decision"] == "dismissed"
    again = api.post(f"/courses/{course['id']}/titration", decision)
    assert again.status_code == 409
    assert TitrationDecision.objects.count() == 1
    # A new signed order is a new situation: nothing is suggested until four doses at it.
    change = api.post(
        f"/courses/{course['id']}/orders",
        {"dose_mg_per_kg": "0.75", **world.infusion()},
    ).json()
    api.post(f"/orders/{change['id']}/sign", {"version": 1})
    assert titration(world, course).json()["suggestions"] == []


def test_a_suggestion_that_no_longer_applies_cannot_be_decided(
    world: World, course: dict[str, Any], later: None
) -> None:
    give(world, course, 4)
    score(world, 14)
    (suggestion,) = titration(world, course).json()["suggestions"]
    score(world, 8)  # now a response: the suggestion is gone
    late = world.api("prescriber").post(
        f"/courses/{course['id']}/titration",
        {
            "rule": suggestion["rule"],
            "situation": suggestion["situation"],
            "decision": "accepted",
            "note": "agreed",
        },
    )
    assert late.status_code == 409
    assert "no longer applies" in late.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "read", "decide"),
    [
        (None, 401, 401),
        ("patient", 404, 404),
        ("front_desk", 403, 403),
        ("admin", 403, 403),
        ("other_clinic_nurse", 404, 404),
        ("nurse", 200, 403),
        ("prescriber", 200, 409),  # allowed; nothing open to decide
    ],
)
def test_who_sees_and_decides(
    world: World, course: dict[str, Any], persona: str | None, read: int, decide: int
) -> None:
    assert titration(world, course, persona).status_code == read  # type: ignore[arg-type]
    response = world.api(persona).post(
        f"/courses/{course['id']}/titration",
        {"rule": "no-response-escalate", "situation": "x", "decision": "accepted", "note": "fine"},
    )
    assert response.status_code == decide


def test_the_course_page_offers_the_decision(
    world: World, course: dict[str, Any], later: None
) -> None:
    give(world, course, 4)
    score(world, 14)
    client = world.client("prescriber")
    page = client.get(f"/courses/{course['id']}/").content.decode()
    assert "Consider 0.75 mg/kg" in page
    assert 'data-suggestion="no-response-escalate"' in page
    nurse_page = world.client("nurse").get(f"/courses/{course['id']}/").content.decode()
    assert "Consider 0.75 mg/kg" in nurse_page
    assert 'name="decision"' not in nurse_page
    suggestion = titration(world, course).json()["suggestions"][0]
    accepted = client.post(
        f"/courses/{course['id']}/titration/",
        {
            "rule": suggestion["rule"],
            "situation": suggestion["situation"],
            "decision": "accepted",
            "note": "tolerated well; go up",
        },
        follow=True,
    )
    html = accepted.content.decode()
    assert "Suggestion accepted" in html
    assert "Write the new order" in html
    new_order = client.get(f"/courses/{course['id']}/orders/new/?dose_mg_per_kg=0.75")
    assert 'value="0.75"' in new_order.content.decode()
    made = client.post(
        f"/courses/{course['id']}/orders/new/",
        {"dose_mg_per_kg": "0.75", **world.infusion(), "duration_min": "40"},
    )
    assert made.status_code == 302
    page = client.get(made.url).content.decode()
    assert "52.5 mg" in page


def test_a_poorly_tolerated_dose_suggests_a_lower_one(
    world: World, course: dict[str, Any], later: None
) -> None:
    give(world, course, 1)
    nurse = world.api("nurse")
    second = course["schedule"][1]
    response = nurse.post(
        f"/schedule/{second['id']}/done",
        {"version": 1, "note": "given", "poorly_tolerated": "BP 184/102 at 35 min; paused"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["poorly_tolerated"] == "BP 184/102 at 35 min; paused"
    (suggestion,) = titration(world, course).json()["suggestions"]
    assert suggestion["rule"] == "poorly-tolerated"
    assert suggestion["proposed_mg_per_kg"] == "0.25"
    assert "BP 184/102" in suggestion["detail"]
    # The next dose was fine: the suggestion goes with it.
    third = course["schedule"][2]
    nurse.post(f"/schedule/{third['id']}/done", {"version": 1, "note": "given"})
    assert titration(world, course).json()["suggestions"] == []


def test_only_a_dose_is_tolerated_or_not(world: World, course: dict[str, Any]) -> None:
    api = world.api("nurse")
    adjunct = api.post(
        f"/courses/{course['id']}/adjunct-sessions",
        {"kind": "integration", "on": timezone.localdate().isoformat()},
    ).json()
    response = api.post(
        f"/schedule/{adjunct['id']}/done",
        {"version": 1, "note": "attended", "poorly_tolerated": "tired"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "poorly_tolerated"
    cancelled = api.post(
        f"/schedule/{course['schedule'][1]['id']}/cancel",
        {"version": 1, "note": "unwell", "poorly_tolerated": "nausea"},
    )
    assert cancelled.status_code == 422
