"""Dr. Rivera narrows the IV protocol to the clinic's practice, then, four infusions into a
course without a response, accepts the suggestion to go up and writes the new order."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World
from tests.factories.courses import give, score, signed_course


def log_in(page: Page, live_server: object) -> None:
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill("prescriber")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_prescriber_copies_and_adjusts_a_protocol(
    live_server: object, world: World, page: Page
) -> None:
    log_in(page, live_server)
    page.get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Protocols").click()
    expect(page.get_by_role("heading", name="Protocols", exact=True)).to_be_visible()
    assert_accessible(page, "protocols")
    page.locator(".card", has_text="IV ketamine 0.5 mg/kg over 40 minutes").get_by_role(
        "link", name="Copy and adjust"
    ).click()
    page.get_by_label("Key").fill("iv-twice-weekly")
    page.get_by_label("Name").fill("IV twice weekly")
    page.get_by_label("Maximum (mg/kg)").fill("0.75")
    page.get_by_label("induction: at most a week").fill("2")
    page.get_by_label("induction: hours apart at least").fill("72")
    page.get_by_label("Reason").fill("Our standing protocol from the March review")
    assert_accessible(page, "protocol-copy")
    page.get_by_role("button", name="Save version 1").click()
    expect(page.get_by_text("Protocol iv-twice-weekly version 1 saved.")).to_be_visible()
    row = page.locator("tr[data-protocol='iv-twice-weekly']")
    expect(row).to_contain_text("up to 2 a week, 72 h apart")
    row.get_by_role("link", name="Adjust").click()
    page.get_by_label("Maximum (mg/kg)").fill("1.2")
    page.get_by_label("Reason").fill("Trying to go above the library")
    page.get_by_role("button", name="Save version 2").click()
    expect(page.get_by_text("less than or equal to 1.0")).to_be_visible()


def test_prescriber_accepts_a_titration_suggestion(
    live_server: object, world: World, page: Page
) -> None:
    course = signed_course(world)
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        give(world, course, 4)
        score(world, 14)
        page.set_viewport_size({"width": 768, "height": 1024})  # the prescriber's tablet
        log_in(page, live_server)
        page.goto(f"{live_server}/courses/{course['id']}/")
        card = page.locator("[data-suggestion='no-response-escalate']")
        expect(card).to_contain_text("Consider 0.75 mg/kg")
        expect(card).to_contain_text("Source:")
        assert_accessible(page, "course-titration")
        card.get_by_label("Note").fill("Tolerated 0.5 well; going up")
        card.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Write the new order with the accepted dose")).to_be_visible()
        expect(page.get_by_label("Dose (mg/kg)")).to_have_value("0.75")
        page.get_by_role("button", name="Write the order").click()
        expect(page.get_by_text("New order written. Review and sign it.")).to_be_visible()
        expect(page.get_by_text("52.5 mg", exact=True)).to_be_visible()
        expect(page.get_by_text("Earlier decisions (1)")).to_be_visible()
