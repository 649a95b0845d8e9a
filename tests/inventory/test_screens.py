"""The vault screen: containers with balances, one container's history; who may see it."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.inventory.test_api import stocked, waste


@pytest.mark.parametrize(
    ("persona", "status"),
    [("nurse", 200), ("prescriber", 200), ("admin", 200), ("front_desk", 403), ("patient", 403)],
)
def test_who_sees_the_vault(world: World, persona: str, status: int) -> None:
    assert world.client(persona).get("/vault/").status_code == status


def test_the_vault_and_a_containers_history(world: World) -> None:
    vial = stocked(world, 2)[0]["id"]
    waste(world, vial)
    client = world.client("nurse")
    page = client.get("/vault/").content.decode()
    assert "K00001" in page
    assert "485" in page
    history = client.get(f"/vault/{vial}/").content.decode()
    assert 'data-kind="receive"' in history
    assert 'data-kind="waste"' in history
    assert "prescriber" in history  # the witness
    other = world.client("other_clinic_nurse")
    assert other.get(f"/vault/{vial}/").status_code == 404
    assert "K00001" not in other.get("/vault/").content.decode()
