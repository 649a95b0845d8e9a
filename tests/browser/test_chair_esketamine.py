"""Sam runs an esketamine session on a tablet, from check-in to discharge (STORIES.md,
journey 3): REMS enrolment verified by the gate, the pre-dose PHQ-9 and checks, 56 mg as two
devices five minutes apart, BP at 40 minutes, two hours' observation, then home."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World
from tests.factories.browser import vitals
from tests.factories.chair import plan_today


def test_nurse_runs_an_esketamine_session_on_a_tablet(
    live_server: object, world: World, page: Page, clock: Any, settings: Any
) -> None:
    # The test jumps the clock by tens of minutes; a nurse at the chair would be tapping.
    settings.KC_IDLE_TIMEOUT = timedelta(hours=3)
    world.clinic.phone = "+1 555 0100"
    world.clinic.address = "12 River Street, Springfield"
    world.clinic.save()
    world.users["nurse"].email = "sam@clinic.example"
    world.users["nurse"].save()
    plan_today(world)
    page.set_viewport_size({"width": 768, "height": 1024})  # the narrowest tablet, upright
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Today").click()
    page.get_by_role("button", name="Check in James").click()
    expect(page.get_by_text("James Walker is checked in.")).to_be_visible()
    expect(page.locator("[data-session-state]")).to_have_text("Checked in")
    expect(page.get_by_text("no pre-dose PHQ-9 today")).to_be_visible()

    page.get_by_role("link", name="Record the pre-dose PHQ-9").click()
    questions = page.locator("fieldset")
    for n in range(9):
        questions.nth(n).get_by_label("Not at all" if n == 8 else "Several days").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("PHQ-9 recorded: 8")).to_be_visible()

    checks = page.locator("#checks-form")
    checks.get_by_label("Identity confirmed").check()
    checks.get_by_label("Ride home arranged").check()
    checks.get_by_label("Who takes them home").fill("Pat Walker")
    three_hours_ago = (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    checks.get_by_label("Last food").fill(three_hours_ago)
    # Quick entry fills the field with a tap; it is typed over here because the server's
    # clock in this test stands at 9 in the morning while the browser's runs on.
    checks.locator("#checks_last_liquid_at + [role=group]").get_by_role(
        "button", name="2 h ago"
    ).click()
    expect(checks.get_by_label("Last liquids")).to_have_value(
        re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d$")
    )
    checks.get_by_label("Last liquids").fill(three_hours_ago)
    expect(checks.get_by_label("Last nasal steroid or decongestant")).to_be_visible()
    checks.get_by_role("button", name="Save checks").click()
    expect(page.get_by_text("Pre-dose checks recorded.")).to_be_visible()
    vitals(page)
    expect(page.get_by_text("Vitals recorded.")).to_be_visible()
    assert_accessible(page, "chair-checked-in")
    page.get_by_role("button", name="Pre-dose checks passed").click()
    expect(page.locator("[data-session-state]")).to_have_text("Pre-dose checks passed")

    expect(page.get_by_label("Container")).to_contain_text("lot LOT-A1 · 56 mg left")
    page.get_by_role("button", name="Give device 1").click()
    expect(page.get_by_text("Esketamine device recorded.")).to_be_visible()
    expect(page.get_by_text("Device 2 of 2")).to_be_visible()
    page.get_by_role("button", name="Give device 2").click()
    expect(page.get_by_text("5 minutes between devices: wait 5 min 00 s more")).to_be_visible()
    clock.shift(timedelta(minutes=5))
    page.get_by_role("button", name="Give device 2").click()
    expect(page.locator("[data-session-state]")).to_have_text("Monitoring")
    expect(page.locator("[data-due='blood pressure at 40 min']")).to_be_visible()
    assert_accessible(page, "chair-monitoring")

    clock.shift(timedelta(minutes=35))
    page.goto(page.url)
    vitals(page, "138", "86")
    expect(page.locator("[data-due]")).to_have_count(0)
    page.get_by_role("button", name="MOAA/S 4").click()
    event = page.locator("form", has=page.get_by_role("button", name="Record adverse event"))
    event.locator("select[name=kind]").select_option("dissociation")
    event.get_by_label("Action taken").fill("reassured, lights dimmed")
    event.get_by_role("button", name="Record adverse event").click()
    expect(page.locator("[data-open-event='dissociation']")).to_be_visible()
    page.get_by_label("Responsible adult taking them home").fill("Pat Walker")
    page.get_by_label("Would have been ready after (min), without the 2-hour rule").fill("80")
    page.get_by_role("button", name="Ready").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Not ready: REMS: at least 120 minutes of observation"
    )

    clock.shift(timedelta(minutes=45))
    page.goto(page.url)
    page.locator("[data-open-event='dissociation']").get_by_role("button", name="Resolved").click()
    expect(page.get_by_text("Dissociation resolved.")).to_be_visible()
    page.get_by_role("button", name="MOAA/S 5").click()
    clock.shift(timedelta(minutes=36))
    page.goto(page.url)
    vitals(page)
    page.get_by_label("Responsible adult taking them home").fill("Pat Walker")
    page.get_by_label("Would have been ready after (min), without the 2-hour rule").fill("80")
    page.get_by_role("button", name="Ready").click()
    expect(page.locator("[data-session-state]")).to_have_text("Ready for discharge")
    page.get_by_role("button", name="Discharge").click()
    expect(page.locator("[data-session-state]")).to_have_text("Discharged")
    assert_accessible(page, "chair-discharged")

    page.get_by_role("button", name="Sign the session record").click()
    expect(page.get_by_text("Session record signed.")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#rems-due")).to_contain_text("due in 7 days")
    page.locator("#rems-due").get_by_role("link", name="Walker, James").click()
    page.get_by_label("REMS confirmation (if given)").fill("RMS-0042")
    page.get_by_role("button", name="Record that the REMS form was submitted").click()
    expect(page.get_by_text("REMS form submitted")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#rems-due")).to_contain_text("None outstanding.")

    page.get_by_role("link", name="Vault").click()
    page.get_by_role("link", name="Show empty containers").click()
    page.get_by_role("link", name="E00001").click()
    expect(page.locator("tr[data-kind=administer]")).to_have_count(2)
    assert_accessible(page, "vault-container")
