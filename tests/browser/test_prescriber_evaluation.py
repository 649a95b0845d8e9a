"""Dr. Rivera records Ms. Chen's evaluation, sees "eligible with precautions: blood pressure"
with its source, and signs it (STORIES.md, journey 1)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World


def test_prescriber_completes_and_signs_an_evaluation(
    live_server: object, world: World, page: Page
) -> None:
    api = world.api("prescriber")
    for n, outcome in enumerate(["no_response", "partial", "no_response"]):
        api.post(
            f"/patients/{world.own_patient.pk}/treatment-history",
            {
                "kind": "antidepressant",
                "name": f"drug {n}",
                "duration_weeks": 8,
                "adequate": True,
                "outcome": outcome,
            },
        )
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill("prescriber")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/patients/{world.own_patient.pk}/")
    expect(page.locator("[data-gate=closed]")).to_contain_text("a signed evaluation")
    page.get_by_role("link", name="New evaluation").click()
    page.get_by_label("Diagnosis").select_option("mdd")
    page.get_by_label("Planned product").select_option("iv_racemic")
    page.get_by_label("Indication").select_option("off_label")
    page.get_by_label("Current episode (months)").fill("18")
    page.get_by_label("Episode severity").select_option("severe")
    page.get_by_label("Baseline systolic (mmHg)").fill("150")
    page.get_by_label("Baseline diastolic (mmHg)").fill("95")
    page.get_by_label("Urine tox").select_option("negative")
    assert_accessible(page, "evaluation-form")
    page.get_by_role("button", name="Save draft and see the decision").click()

    expect(page.locator("[data-decision]")).to_have_text("Eligible with precautions")
    expect(page.get_by_text("Blood pressure 150/95 mmHg")).to_be_visible()
    expect(
        page.get_by_text("Spravato (esketamine) US prescribing information").first
    ).to_be_visible()
    assert_accessible(page, "evaluation-decision")
    page.get_by_role("button", name="Sign evaluation").click()
    expect(page.get_by_text("Evaluation signed.")).to_be_visible()
    expect(page.get_by_role("button", name="Amend")).to_be_visible()

    page.goto(f"{live_server}/patients/{world.own_patient.pk}/")
    expect(page.locator("[data-gate=open]")).to_be_visible()
