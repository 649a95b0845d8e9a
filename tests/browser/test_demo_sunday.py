"""A newcomer starts the demo on a Sunday evening and finds a living clinic: the nurse sees
Ms. Chen on today's chair list at tablet width and opens her session."""

from __future__ import annotations

from datetime import datetime

import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, expect

from ketamine_clinic.demo.clinic import DEMO_PASSWORD, seed
from tests.browser.conftest import assert_accessible


def test_the_demo_on_a_sunday_evening(live_server: object, browser: Browser) -> None:
    sunday = datetime(2026, 12, 6, 20, 30, tzinfo=timezone.get_current_timezone())
    assert sunday.weekday() == 6
    with time_machine.travel(sunday, tick=True):
        seed()
        tablet = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
        page = tablet.new_page()
        page.goto(f"{live_server}/login/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Today").click()
        row = page.locator("tr", has_text="Mei Chen")
        expect(row).to_contain_text("08:00")
        assert_accessible(page, "demo-sunday-today")
        row.get_by_role("button", name="Check in").click()
        expect(page.get_by_role("heading", name="Mei Chen")).to_be_visible()
        expect(page.get_by_role("heading", name="Pre-dose checks")).to_be_visible()
        tablet.close()
