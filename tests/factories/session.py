"""A whole esketamine session at the chair, from check-in to discharge (journey 3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import World
from tests.factories.chair import GOOD_VITALS, Chair, ready_to_dose, start, vault


def esketamine_session(world: World, clock: Any) -> Chair:
    """Journey 3: 56 mg as two devices, BP at 40 minutes, two hours, discharged."""
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    chair.post("checks/pass")
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    clock.shift(timedelta(minutes=5))
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    clock.shift(timedelta(minutes=35))
    chair.post("vitals", **{**GOOD_VITALS, "systolic_mmhg": 138, "diastolic_mmhg": 86})
    chair.post("observations", scale="cadss", score=9)
    clock.shift(timedelta(minutes=81))
    chair.post("observations", scale="moaas", score=5)
    chair.post("vitals", **GOOD_VITALS)
    assert (
        chair.post("ready", responsible_adult="Pat", ready_without_rule_min=75).status_code == 200
    )
    assert chair.post("discharge").status_code == 200
    return chair
