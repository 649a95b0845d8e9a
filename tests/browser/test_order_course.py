"""Dr. Rivera orders an induction course of six 0.5 mg/kg infusions, watching the live
calculator, and signs it once the gate is open (STORIES.md, journey 1)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World
from tests.factories.courses import next_monday, open_gate


def test_prescriber_orders_an_iv_induction_course(
    live_server: object, world: World, page: Page
) -> None:
    open_gate(world)
    world.vial(10)
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill("prescriber")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/patients/{world.patient.pk}/")
    page.get_by_role("link", name="Order a course").click()

    expect(page.locator("[data-step='Dose']")).to_have_text("35 mg")
    expect(page.locator("[data-step='Draw from Ketamine 10 mg/mL']")).to_have_text("3.5 mL")
    expect(page.locator("[data-step='Add 0.9% sodium chloride']")).to_have_text("46.5 mL")
    expect(page.locator("[data-step='Pump rate']")).to_have_text("75 mL/h")
    page.get_by_label("Dose (mg/kg)").fill("1.2")
    expect(page.get_by_text("A prescriber's written reason is needed")).to_be_visible()
    page.get_by_label("Dose (mg/kg)").fill("0.5")
    expect(page.locator("[data-step='Dose']")).to_have_text("35 mg")
    page.get_by_label("First session").fill(next_monday().isoformat())
    assert_accessible(page, "course-order")
    page.get_by_role("button", name="Order the course").click()

    expect(page.locator("[data-course-state]")).to_have_text("Draft (order not signed)")
    expect(page.locator("tr[data-session-state=planned]")).to_have_count(6)
    page.get_by_role("button", name="Sign order").click()
    expect(page.get_by_text("Order signed: the course is active.")).to_be_visible()
    expect(page.locator("[data-course-state]")).to_have_text("Active")
    assert_accessible(page, "course")
