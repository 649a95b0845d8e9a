"""A prescriber looks at the predicted curve of an esketamine course and compares twice-weekly
56 mg with weekly 84 mg; the page says the curves are model estimates."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import World
from tests.factories.browser import log_in
from tests.factories.chair import plan_today


def test_compare_two_schedules(live_server: object, world: World, page: Page) -> None:
    course = plan_today(world, "esketamine_nasal").course_id
    log_in(page, live_server, "prescriber")
    page.goto(f"{live_server}/courses/{course}/")
    expect(page.get_by_role("heading", name="Predicted concentrations")).to_be_visible()
    chart = page.get_by_alt_text("Predicted plasma concentration over time after one dose")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 0  # the SVG loaded and drew
    page.get_by_role("link", name="What if: compare two schedules").click()
    expect(page.get_by_text("Model estimates, not measurements")).to_be_visible()
    page.get_by_label("Plan A: dose (mg)").fill("56")
    page.get_by_label("Plan A: schedule").select_option(label="Twice a week for 4 weeks")
    page.get_by_label("Plan B: dose (mg)").fill("84")
    page.get_by_label("Plan B: schedule").select_option(label="Days I type")
    page.get_by_label("Plan B: days of the doses").fill("0,7")
    # While the plans are computed the page says so (the navigation is held back here, after
    # the page's own handler has run, to look at it).
    page.evaluate("window.addEventListener('submit', e => e.preventDefault(), {once: true})")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("status")).to_contain_text("Comparing the two plans")
    expect(page.get_by_role("button", name="Compare")).to_be_disabled()
    page.evaluate("document.querySelector('form[data-busy]').submit()")
    table = page.locator("#what-if")
    expect(table).to_contain_text("Plan A: 56 mg on days 0, 3, 7, 10, 14, 17, 21, 24")
    expect(table).to_contain_text("Plan B: 84 mg on days 0, 7")
    figure = page.get_by_alt_text("Predicted plasma concentrations of plan A and plan B")
    expect(figure).to_be_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert_accessible(page, "what-if")
