"""Sam the nurse logs in, searches for a patient and opens the chart (STORIES.md)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World


def test_nurse_logs_in_searches_and_opens_chart(
    live_server: object, world: World, page: Page
) -> None:
    base = str(live_server)
    page.goto(f"{base}/patients/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    assert_accessible(page, "login")

    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    assert_accessible(page, "patient-list")

    page.get_by_label("Search patients").fill("walk")
    results = page.locator("#patient-results")
    expect(results.get_by_role("link", name="Walker, James")).to_be_visible()
    expect(results.get_by_text("Chen, Mei")).to_have_count(0)

    results.get_by_role("link", name="Walker, James").click()
    expect(page.get_by_role("heading", name="Walker, James")).to_be_visible()
    expect(page.get_by_role("heading", name="Treatment history")).to_be_visible()
    expect(page.get_by_text(f"MRN {world.patient.mrn}")).to_be_visible()
    assert_accessible(page, "patient-chart")
    assert "no-store" in (page.context.request.get(page.url).headers.get("cache-control") or "")


def test_front_desk_sees_no_clinical_sections(
    live_server: object, world: World, page: Page
) -> None:
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill("front_desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/patients/{world.patient.pk}/")
    expect(page.get_by_role("heading", name="Walker, James")).to_be_visible()
    expect(page.get_by_text("Clinical information is not shown to your role")).to_be_visible()
    expect(page.get_by_role("heading", name="Treatment history")).to_have_count(0)
