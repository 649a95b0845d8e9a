"""Ms. Chen fills in a PHQ-9 on her phone; a positive item 9 shows the crisis page at once,
and Dr. Rivera sees the alert on her dashboard (STORIES.md, journey 4)."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World


def test_patient_phq9_on_a_phone_with_positive_item9(
    live_server: object, world: World, browser: Browser
) -> None:
    phone = browser.new_context(
        viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill("patient")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="My questionnaires").click()
    page.get_by_role("link", name="PHQ-9").click()
    expect(page.get_by_text("not watched around the clock")).to_be_visible()
    assert_accessible(page, "phq9-phone")

    questions = page.locator("fieldset")
    expect(questions).to_have_count(9)
    for n in range(8):
        questions.nth(n).get_by_label("Several days").check()
    questions.nth(8).get_by_label("More than half the days").check()
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", name="help is available now")).to_be_visible()
    expect(page.get_by_role("link", name="Call 988 now")).to_be_visible()
    assert_accessible(page, "crisis-phone")
    phone.close()
    assert errors == []

    desk = browser.new_context(viewport={"width": 1180, "height": 820})
    doctor = desk.new_page()
    doctor.goto(f"{live_server}/login/")
    doctor.get_by_label("Username").fill("prescriber")
    doctor.get_by_label("Password").fill(PASSWORD)
    doctor.get_by_role("button", name="Log in").click()
    doctor.get_by_role("link", name="Dashboard").click()
    expect(doctor.get_by_text("Thoughts of death or self-harm reported")).to_be_visible()
    assert_accessible(doctor, "dashboard")
    doctor.get_by_label("What did you do?").fill(
        "Phoned Ms. Chen; no plan or intent; safety plan reviewed"
    )
    doctor.get_by_role("button", name="Acknowledge").click()
    expect(doctor.get_by_text("No open alerts.")).to_be_visible()
    desk.close()


def test_chart_shows_the_measurement_chart(
    live_server: object, world: World, browser: Browser
) -> None:
    from datetime import UTC, datetime

    from ketamine_clinic.accounts.audit import Actor
    from ketamine_clinic.accounts.roles import Role
    from ketamine_clinic.assessments import actions
    from ketamine_clinic.clinical.instruments import BUILTIN
    from ketamine_clinic.patients.access import PatientAccess

    for day, per_item, context in [(1, 2, "baseline"), (8, 1, "weekly"), (15, 1, "weekly")]:
        actions.record_assessment(
            Actor(user=world.users["nurse"]),
            PatientAccess(world.patient, Role.NURSE),
            BUILTIN["phq9"],
            {str(n): per_item for n in range(1, 10)} | {"9": 0},
            datetime(2026, 1, day, 9, tzinfo=UTC),
            context,
        )
    context = browser.new_context(viewport={"width": 1180, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill("prescriber")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/patients/{world.patient.pk}/")
    chart = page.get_by_role("img", name="PHQ-9 scores over time")
    expect(chart).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    expect(page.locator("[data-status]")).to_have_text("Response")
    assert_accessible(page, "chart-measurements")
    context.close()
