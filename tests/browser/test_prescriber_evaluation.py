"""Dr. Rivera records Ms. Chen's evaluation, sees "eligible with precautions: blood pressure"
with its source, and signs it (STORIES.md, journey 1)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent.models import Consent
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World
from tests.factories.browser import log_in


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
    expect(page.get_by_text("Sanacora et al., JAMA Psychiatry 2017").first).to_be_visible()
    assert_accessible(page, "evaluation-decision")
    page.get_by_role("button", name="Sign evaluation").click()
    expect(page.get_by_text("Evaluation signed.")).to_be_visible()
    expect(page.get_by_role("button", name="Amend")).to_be_visible()

    # The evaluation part of the gate is met; consent is what remains.
    page.goto(f"{live_server}/patients/{world.own_patient.pk}/")
    expect(page.locator("[data-gate=closed]")).to_have_text(
        "Before a first IV racemic ketamine dose: still needs an active signed consent for IV "
        "racemic ketamine."
    )


def test_patient_signs_consent_on_a_tablet_with_a_drawn_signature(
    live_server: object, world: World, browser: object
) -> None:
    from playwright.sync_api import Browser

    from ketamine_clinic.accounts.audit import Actor
    from ketamine_clinic.evaluations.consent import actions as consent_actions
    from ketamine_clinic.evaluations.consent.models import Consent

    assert isinstance(browser, Browser)
    consent_actions.publish_document(
        Actor(user=world.users["admin"]),
        world.clinic,
        "iv_racemic",
        "IV ketamine consent",
        "## What happens\n\nYou receive ketamine through a drip over about 40 minutes.\n\n"
        "## Risks\n\nFeeling detached, nausea, a rise in blood pressure.",
    )
    tablet = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    page = tablet.new_page()
    log_in(page, live_server, "nurse")
    page.goto(f"{live_server}/patients/{world.own_patient.pk}/consents/sign/iv_racemic/")
    expect(page.get_by_role("heading", name="Risks")).to_be_visible()
    page.get_by_label("Your full name").fill("Mei Chen")
    draw_signature(page)
    page.get_by_label("I witnessed the patient read and sign this consent").check()
    assert_accessible(page, "consent-sign")
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_text("Consent signed and witnessed.")).to_be_visible()
    signed = Consent.objects.get()
    assert signed.signature_kind == "drawn"
    assert signed.signature_image.startswith("data:image/png;base64,")
    assert signed.witness == world.users["nurse"]
    # Printed, the drawn signature is in the PDF as its image.
    printed = page.request.get(f"{live_server}/consents/{signed.pk}/consent.pdf")
    assert printed.status == 200
    assert printed.body().startswith(b"%PDF")
    assert b"/Subtype /Image" in printed.body()
    tablet.close()


def draw_signature(page: Page) -> None:
    canvas = page.locator("#sig-canvas")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 60 + (15 if step % 2 else -15))
    page.mouse.up()


def test_the_patient_signs_on_the_tablet_in_kiosk_mode(
    live_server: object, world: World, browser: object
) -> None:
    """The nurse hands the tablet over with the prescriber as witness; the patient sees only
    the consent, signs with a finger, and the prescriber's password brings it back."""
    assert isinstance(browser, Browser)
    consent_actions.publish_document(
        Actor(user=world.users["admin"]), world.clinic, "iv_racemic", "IV ketamine consent",
        "## Risks\n\nFeeling detached, nausea, a rise in blood pressure.",
    )  # fmt: skip
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    page = tablet.new_page()
    log_in(page, live_server, "nurse")
    page.goto(f"{live_server}/patients/{world.own_patient.pk}/consents/sign/iv_racemic/")
    page.get_by_role("link", name="hand the tablet over").click()
    page.get_by_label("Witness").select_option(label="prescriber")
    page.get_by_role("button", name="Hand over the tablet").click()
    expect(page.get_by_role("heading", name="Risks")).to_be_visible()
    expect(page.get_by_text("Clinic tablet")).to_be_visible()
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    assert_accessible(page, "kiosk-consent")
    page.goto(f"{live_server}/patients/")  # a staff screen: back to the consent
    expect(page.get_by_role("heading", name="Risks")).to_be_visible()
    page.get_by_label("Your full name").fill("Mei Chen")
    draw_signature(page)
    page.get_by_role("button", name="Sign consent").click()
    expect(page.get_by_role("heading", name="please hand the tablet to prescriber")).to_be_visible()
    assert not Consent.objects.exists()
    page.get_by_label("PIN (or password)").fill(PASSWORD)
    page.get_by_label("I witnessed the patient read and sign this consent").check()
    assert_accessible(page, "kiosk-hand-back")
    page.get_by_role("button", name="Confirm and record the consent").click()
    expect(page.get_by_text("Consent signed and witnessed.")).to_be_visible()
    signed = Consent.objects.get()
    assert signed.signature_kind == "drawn"
    assert signed.witness == world.users["prescriber"]
    expect(page.get_by_role("link", name="Patients")).to_be_visible()  # staff again
    tablet.close()
