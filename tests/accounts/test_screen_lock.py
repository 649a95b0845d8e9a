"""The chair's screen lock: left idle during a session in progress, the screen locks in place
of the idle logout and keeps its clock and refresh; the nurse's PIN opens it, five wrong PINs
end the session; elsewhere the idle logout is unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import PASSWORD, World
from tests.factories.chair import Chair, ready_to_dose, start, vault

BACKGROUND = {"X-KC-Background": "1", "HX-Request": "true"}


def monitored(world: World) -> str:
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)
    assert chair.post("checks/pass").status_code == 200
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    return chair.id


def test_an_idle_chair_locks_and_the_pin_opens_it(world: World, clock: Any) -> None:
    session = monitored(world)
    client = world.client("nurse")
    pin = client.post("/account/pin/", {"pin": "2468", "pin_again": "2468", "password": PASSWORD})
    assert pin.status_code == 302
    assert client.get(f"/chair/{session}/").status_code == 200
    clock.shift(timedelta(minutes=16))
    status = client.get(f"/chair/{session}/status/", headers=BACKGROUND)
    assert status.status_code == 200  # the refresh goes on: the clock and what is due
    assert 'id="screen-locked"' in status.content.decode()
    page = client.get(f"/chair/{session}/")
    assert page.status_code == 302
    assert page.url.startswith("/lock/?next=")
    assert client.get("/patients/").url.startswith("/lock/")
    assert client.post("/api/v1/me").status_code in (401, 405)
    wrong = client.post("/lock/", {"secret": "1111", "next": f"/chair/{session}/"})
    assert "4 tries left" in wrong.content.decode()
    right = client.post("/lock/", {"secret": "2468", "next": f"/chair/{session}/"})
    assert right.status_code == 302
    assert right.url == f"/chair/{session}/"
    assert client.get(f"/chair/{session}/").status_code == 200


def test_five_wrong_pins_end_the_session(world: World, clock: Any) -> None:
    session = monitored(world)
    client = world.client("nurse")
    client.get(f"/chair/{session}/")
    clock.shift(timedelta(minutes=16))
    for _try in range(4):
        assert client.post("/lock/", {"secret": "0000"}).status_code == 200
    ended = client.post("/lock/", {"secret": "0000"})
    assert ended.url == "/login/"
    assert client.get("/patients/").url.startswith("/login/")


def test_without_a_pin_the_password_unlocks(world: World, clock: Any) -> None:
    session = monitored(world)
    client = world.client("prescriber")
    client.get(f"/chair/{session}/")
    clock.shift(timedelta(minutes=20))
    assert client.get("/patients/").url.startswith("/lock/")
    assert client.post("/lock/", {"secret": PASSWORD}).status_code == 302
    assert client.get("/patients/").status_code == 200


def test_away_from_a_chair_in_progress_idle_still_logs_out(world: World, clock: Any) -> None:
    client = world.client("nurse")
    client.get("/patients/")
    clock.shift(timedelta(minutes=16))
    assert client.get("/patients/").url.startswith("/login/")


def test_the_lock_gives_way_to_the_session_limit(world: World, clock: Any) -> None:
    session = monitored(world)
    client = world.client("nurse")
    client.get(f"/chair/{session}/")
    clock.shift(timedelta(hours=5))  # beyond the watch: idle logs out
    assert client.get("/patients/").url.startswith("/login/")


def test_a_pin_is_4_to_8_digits_and_needs_the_password(world: World) -> None:
    client = world.client("nurse")
    for pin, again, password in (
        ("12", "12", PASSWORD),
        ("12ab", "12ab", PASSWORD),
        ("1234", "4321", PASSWORD),
        ("1234", "1234", "not my password"),
    ):
        page = client.post("/account/pin/", {"pin": pin, "pin_again": again, "password": password})
        assert page.status_code == 200
    world.users["nurse"].refresh_from_db()
    assert world.users["nurse"].chair_pin == ""
    assert world.client("nurse").get("/account/pin/").status_code == 200
    from django.test import Client

    assert Client().get("/account/pin/").status_code == 302  # not logged in
