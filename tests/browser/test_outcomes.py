"""The owner opens the outcome report from the menu, changes the period, and the page stays
accessible."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import World
from tests.factories.browser import log_in


def test_the_outcome_report(live_server: object, world: World, page: Page) -> None:
    log_in(page, live_server, "admin")
    page.get_by_role("button", name="Clinic").click()  # the owner's screens, in one menu
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="Response and remission")).to_be_visible()
    start = (timezone.localdate() - timedelta(days=700)).isoformat()
    page.get_by_label("Start").fill(start)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text(f"Courses started {start}")).to_be_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert_accessible(page, "outcomes")
