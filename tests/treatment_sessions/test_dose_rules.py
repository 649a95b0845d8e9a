"""The dose rules at the chair, with a real record behind them: esketamine's earlier doses
come from what was given, the spacing holds even when the schedule is wrong, the vial must be
the ordered concentration, and a stopped infusion records what the pump infused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.treatment.models import ScheduledSession
from tests.conftest import World
from tests.factories.chair import Chair, infusing, ready_to_dose, start, vault


def give_esketamine(world: World, chair: Chair, clock: Any, devices: int = 2) -> None:
    ready_to_dose(world, chair)
    assert chair.post("checks/pass").status_code == 200
    for n in range(devices):
        if n:
            clock.shift(timedelta(minutes=5))
        given = chair.post("doses", action="device", container=vault(world)["esketamine"])
        assert given.status_code == 201, given.content


def calculate(world: World, dose_mg: int) -> dict[str, Any]:
    response = world.api("prescriber").post(
        "/dosing/calculate",
        {"protocol": "esketamine-trd-us", "dose_mg": dose_mg, "patient": str(world.patient.pk)},
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_84_mg_follows_a_56_mg_start_only_once_it_was_given(world: World, clock: Any) -> None:
    assert calculate(world, 84)["needs_override"] == ["the first dose of this protocol is 56 mg"]
    chair = Chair(world, start(world))
    assert calculate(world, 84)["needs_override"] == [  # ordered is not given
        "the first dose of this protocol is 56 mg"
    ]
    give_esketamine(world, chair, clock)
    assert calculate(world, 84)["needs_override"] == []
    # 56 mg today and 84 mg more would be 140 mg in 7 days: inside the label's 168.
    assert calculate(world, 84)["accepted"] is True


def test_two_esketamine_sessions_a_day_apart_are_refused_at_the_chair(
    world: World, clock: Any
) -> None:
    chair = Chair(world, start(world))
    give_esketamine(world, chair, clock)
    first = ScheduledSession.objects.get(treatment_session__isnull=False)
    tomorrow = timezone.localdate() + timedelta(days=1)
    # A schedule that is wrong (moved by hand, imported): the chair still refuses.
    nxt = ScheduledSession.objects.filter(course=first.course, on__gt=first.on).first()
    ScheduledSession.objects.filter(pk=nxt.pk).update(on=tomorrow)
    clock.shift(timedelta(days=1))
    opened = world.api("front_desk").post(f"/courses/{first.course_id}/sessions", {})
    assert opened.status_code == 201, opened.content
    second = Chair(world, opened.json()["id"])
    ready_to_dose(world, second)
    refused = second.post("checks/pass", override_reason="the patient asked for it today")
    assert refused.status_code == 409
    assert "the last dose was 1 day ago" in refused.json()["detail"]
    assert "at least 2 days between doses" in refused.json()["detail"]


def _other_vial(world: World) -> str:
    admin = Actor(user=world.users["admin"])
    product = world.vial(10)
    (container,) = ledger.receive(
        admin,
        "admin",
        world.clinic,
        ledger.Receipt(
            product=product,
            count=1,
            lot="TEN-1",
            expires_on=timezone.localdate() + timedelta(days=365),
            received_at=timezone.now() - timedelta(days=1),
            supplier_name="Supplier",
            supplier_address="1 Supply Way",
            supplier_dea="RS1234563",
            invoice="INV-2",
        ),
    )
    return str(container.pk)


def test_the_vial_must_be_the_ordered_concentration(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "iv_racemic"))  # ordered from the 50 mg/mL vial
    ordered = vault(world)["ketamine"]
    ready_to_dose(world, chair)
    assert chair.post("checks/pass").status_code == 200
    wrong = chair.post("doses", action="iv_start", drawn_mg="35", container=_other_vial(world))
    assert wrong.status_code == 422
    detail = wrong.json()["detail"][0]
    assert detail["loc"][-1] == "container"
    assert "this vial is 10 mg/mL but the order was calculated for 50 mg/mL" in detail["msg"]
    right = chair.post("doses", action="iv_start", drawn_mg="35", container=ordered)
    assert right.status_code == 201


def test_a_stopped_infusion_records_what_the_pump_infused(world: World, clock: Any) -> None:
    chair = infusing(world)
    kit = vault(world)["ketamine"]
    clock.shift(timedelta(seconds=43))
    # 43 s at 75 mL/h of 0.7 mg/mL: 0.63 mg, not the 35 mg the order would prefill.
    full = chair.post("doses", action="iv_stop", given_mg="35")
    assert full.status_code == 422
    assert "gives 0.63 mg infused, not 35.00 mg" in full.json()["detail"][0]["msg"]
    stopped = chair.post("doses", action="iv_stop", given_mg="0.63", note="stopped: chest pain")
    assert stopped.status_code == 201, stopped.content
    assert stopped.json()["data"]["waste_mg"] == "34.37"  # to the witnessed waste
    assert str(Container.objects.get(pk=kit).balance_mg) == "499.37"  # the ledger books 0.63


def test_a_recorded_amount_unlike_the_pumps_needs_the_reason(world: World, clock: Any) -> None:
    chair = infusing(world)
    clock.shift(timedelta(minutes=20))  # 17.5 mg by the pump
    assert chair.post("doses", action="iv_stop", given_mg="20").status_code == 422
    explained = chair.post(
        "doses", action="iv_stop", given_mg="20", note="pump reads 28.6 mL infused"
    )
    assert explained.status_code == 201
