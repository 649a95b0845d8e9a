"""The chair keeps itself current: its alerts and what is due refresh on their own (without
counting as activity), and a board shows every chair's next check and alert; with denials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import World
from tests.factories.chair import GOOD_VITALS, infusing

BACKGROUND = {"X-KC-Background": "1", "HX-Request": "true"}


def test_the_due_check_turns_overdue_without_a_reload(world: World, clock: Any) -> None:
    chair = infusing(world)
    client = world.client("nurse")
    page = client.get(f"/chair/{chair.id}/").content.decode()
    assert 'hx-trigger="every 30s"' in page
    status = f"/chair/{chair.id}/status/"
    assert "Next: vitals at 10 min" in client.get(status, headers=BACKGROUND).content.decode()
    clock.shift(timedelta(minutes=11))
    assert "Overdue:" in client.get(status, headers=BACKGROUND).content.decode()
    chair.post("vitals", **{**GOOD_VITALS, "spo2_pct": 89})
    refreshed = client.get(status, headers=BACKGROUND).content.decode()
    assert "SpO2 89% &lt; 92%" in refreshed
    assert "Stop the pump now" in refreshed


def test_the_board_shows_every_chair(world: World, clock: Any) -> None:
    chair = infusing(world)
    client = world.client("nurse")
    clock.shift(timedelta(minutes=11))
    board = client.get("/chair/board/").content.decode()
    assert f'data-board-session="{chair.id}"' in board
    assert "table-warning" in board  # the vitals are overdue
    assert "Walker" in board
    chair.post("vitals", **{**GOOD_VITALS, "systolic_mmhg": 190, "diastolic_mmhg": 100})
    rows = client.get("/chair/board/", headers=BACKGROUND).content.decode()
    assert rows.startswith('<div id="board"')
    assert "systolic 190 &gt; 180 mmHg" in rows
    assert "table-danger" in rows


@pytest.mark.parametrize(
    ("persona", "board", "status"),
    [
        ("prescriber", 200, 200),
        ("nurse", 200, 200),
        ("front_desk", 403, 403),
        ("patient", 403, 404),
        ("other_clinic_nurse", 200, 404),
    ],
)
def test_who_sees_the_chairs(
    world: World, clock: Any, persona: str, board: int, status: int
) -> None:
    chair = infusing(world)
    client = world.client(persona)
    assert client.get("/chair/board/").status_code == board
    assert client.get(f"/chair/{chair.id}/status/").status_code == status
    if persona == "other_clinic_nurse":
        assert "Walker" not in client.get("/chair/board/").content.decode()


def test_the_refresh_is_not_activity(world: World, clock: Any, settings: Any) -> None:
    chair = infusing(world)
    client = world.client("nurse")
    client.get(f"/chair/{chair.id}/")
    for _minute in range(16):
        clock.shift(timedelta(minutes=1))
        client.get(f"/chair/{chair.id}/status/", headers=BACKGROUND)
    assert client.get(f"/chair/{chair.id}/").status_code == 302  # idle: logged out
