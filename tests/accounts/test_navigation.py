"""The navigation bar shows each role the screens it may open, and no others."""

from __future__ import annotations

import re

import pytest

from ketamine_clinic.accounts.context import NAVIGATION, navigation
from ketamine_clinic.accounts.roles import Role, can
from tests.conftest import World

LINK = re.compile(r'<a class="nav-link" href="([^"]+)">([^<]+)</a>')


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("admin", {"Audit log", "Vault", "Patients"}, set()),
        ("prescriber", {"Patients", "Today", "Outcomes"}, {"Audit log"}),
        ("nurse", {"Patients", "Today", "Vault"}, {"Audit log", "Instruments"}),
        ("front_desk", {"Patients", "Today"}, {"Vault", "Audit log", "Dashboard"}),
    ],
)
def test_each_role_sees_its_screens(
    world: World, persona: str, shown: set[str], hidden: set[str]
) -> None:
    page = world.client(persona).get("/patients/").content.decode()
    links = {label: address for address, label in LINK.findall(page)}
    assert shown <= links.keys(), links
    assert not hidden & links.keys(), links
    assert links["Authenticator"] == "/account/two-factor/"  # every role manages its own
    for label, address in links.items():  # each link opens for the role that sees it
        if label != "Authenticator":
            assert world.client(persona).get(address).status_code == 200, label


def test_the_bar_follows_the_capabilities_in_order() -> None:
    for role in Role:
        expected = [label for capability, _, label in NAVIGATION if can(role, capability)]
        assert [label for label, _ in navigation(role)] == expected
