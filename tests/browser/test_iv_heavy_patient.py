"""An IV order for a 140 kg patient, from the calculator to the chair: the clinic's protocol
doses on adjusted body weight, the calculator shows which weight and why, the bag and its pump
rate; the nurse prepares from the ordered vial as the order says, runs the infusion and stops
it with what the pump infused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from ketamine_clinic.patients.models import BodyMeasurement
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World
from tests.factories.browser import vitals
from tests.factories.chair import vault
from tests.factories.courses import open_every_day, open_gate


def log_in(page: Page, live_server: object, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_140_kg_patient_from_the_calculator_to_the_chair(
    live_server: object, world: World, page: Page, clock: Any, settings: Any
) -> None:
    settings.KC_IDLE_TIMEOUT = timedelta(hours=3)
    open_every_day(world)
    open_gate(world)
    vault(world)  # the clinic's 50 mg/mL vials
    BodyMeasurement.objects.filter(patient=world.patient, kind="weight_kg").update(value=140)
    BodyMeasurement.objects.filter(patient=world.patient, kind="height_cm").update(value=180)
    copied = world.api("prescriber").post(
        "/protocols",
        {
            "base": "iv-racemic-standard",
            "key": "iv-adjusted",
            "name": "IV ketamine on adjusted body weight",
            "changes": {"dosing_weight": "adjusted"},
            "reason": "Medical director: heavy patients dosed on adjusted weight",
        },
    )
    assert copied.status_code == 201, copied.content

    page.set_viewport_size({"width": 768, "height": 1024})  # the narrowest tablet, upright
    log_in(page, live_server, "prescriber")
    page.goto(f"{live_server}/patients/{world.patient.pk}/courses/new/")
    page.get_by_label("Protocol").select_option("iv-adjusted")
    page.get_by_label("Final volume (mL, bag or syringe)").fill("100")
    weight = page.locator("[data-step='Dosing weight']")
    expect(weight).to_have_text("101 kg")
    expect(page.get_by_text("adjusted body weight 101 kg = 75 + 0.4 x (140 - 75)")).to_be_visible()
    expect(page.locator("[data-step='Dose']")).to_have_text("50.5 mg")
    expect(page.locator("[data-step='Draw from ketamine 500 mg']")).to_have_text("1.01 mL")
    expect(page.locator("[data-step='Add 0.9% sodium chloride']")).to_have_text("98.99 mL")
    expect(page.locator("[data-step='Final concentration']")).to_have_text("0.505 mg/mL")
    expect(page.locator("[data-step='Pump rate']")).to_have_text("150 mL/h")
    page.get_by_label("Final volume (mL, bag or syringe)").fill("20")
    expect(page.get_by_text("an infusion is at most 2 mg/mL (at least 26 mL)")).to_be_visible()
    page.get_by_label("Final volume (mL, bag or syringe)").fill("100")
    expect(page.locator("[data-step='Pump rate']")).to_have_text("150 mL/h")
    page.get_by_label("First session").fill(timezone.localdate().isoformat())
    assert_accessible(page, "order-heavy-patient")
    page.get_by_role("button", name="Order the course").click()
    page.get_by_role("button", name="Sign order").click()
    expect(page.locator("[data-course-state]")).to_have_text("Active")

    log_in(page, live_server, "nurse")
    page.get_by_role("link", name="Today").click()
    page.get_by_role("button", name="Check in James").click()
    page.get_by_role("link", name="Record the pre-dose PHQ-9").click()
    questions = page.locator("fieldset")
    for n in range(9):
        questions.nth(n).get_by_label("Not at all" if n == 8 else "Several days").check()
    page.get_by_role("button", name="Save").click()
    checks = page.locator("#checks-form")
    checks.get_by_label("Identity confirmed").check()
    checks.get_by_label("Ride home arranged").check()
    checks.get_by_label("Who takes them home").fill("Pat Walker")
    checks.get_by_role("button", name="Save checks").click()
    vitals(page)
    page.get_by_role("button", name="Pre-dose checks passed").click()
    expect(page.locator("[data-session-state]")).to_have_text("Pre-dose checks passed")

    preparation = page.locator("#preparation")
    expect(preparation).to_contain_text("50.5 mg from ketamine 500 mg")
    expect(preparation.locator("[data-prep='Draw from ketamine 500 mg']")).to_have_text("1.01 mL")
    expect(preparation.locator("[data-prep='Pump rate']")).to_have_text("150 mL/h")
    expect(page.get_by_label("Container")).to_contain_text("lot VIAL-7")
    expect(page.get_by_label("Pump rate (mL/h)")).to_have_value("150")
    page.get_by_label("Drawn up (mg)").fill("50.5")
    assert_accessible(page, "chair-iv-preparation")
    page.get_by_role("button", name="Start infusion").click()
    expect(page.get_by_text("Infusion started recorded.")).to_be_visible()

    clock.shift(timedelta(minutes=20))
    page.goto(page.url)
    expect(page.get_by_label("Given (mg)")).to_have_value("25.25")  # 50 mL of 0.505 mg/mL
    clock.shift(timedelta(minutes=20))
    page.goto(page.url)
    expect(page.get_by_label("Given (mg)")).to_have_value("50.5")
    page.get_by_role("button", name="Stop infusion").click()
    expect(page.get_by_text("Infusion stopped recorded.")).to_be_visible()
    expect(page.locator("[data-session-state]")).to_have_text("Monitoring")
