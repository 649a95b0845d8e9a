"""The navigation bar shows each role the screens it may open, and no others."""

from __future__ import annotations

import re

import pytest

from ketamine_clinic.accounts.context import CLINIC_MENU, NAVIGATION, navigation
from ketamine_clinic.accounts.roles import Role, can
from tests.conftest import World

LINK = re.compile(r'<a class="(?:nav-link|dropdown-item)[^"]*"[^>]* href="([^"]+)">([^<]+)</a>')


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
        bar, menu = navigation(role)
        for entries, links in ((NAVIGATION, bar), (CLINIC_MENU, menu)):
            expected = [label for capability, _, label in entries if can(role, capability)]
            assert [label for label, _ in links] == expected


def test_the_day_s_work_is_on_the_bar_and_the_rest_in_the_clinic_menu(world: World) -> None:
    """Each bar holds at most six links, so it stays one row on a tablet; the screen one is
    on is marked for the eye and for a screen reader."""
    for role in Role:
        assert len(navigation(role)[0]) <= 6
    page = world.client("admin").get("/protocols/").content.decode()
    bar = re.findall(r'<a class="nav-link[^"]*"[^>]* href="([^"#]+)">([^<]+)</a>', page)
    assert [label for _, label in bar] == ["Dashboard", "Patients", "Vault"]
    assert '<a class="dropdown-item active" aria-current="page" href="/protocols/">' in page
    assert page.count('aria-current="page"') == 1
    chart = world.client("nurse").get(f"/patients/{world.patient.pk}/").content.decode()
    assert '<a class="nav-link active" aria-current="page" href="/patients/">' in chart
