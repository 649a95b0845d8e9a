"""The visual review: every main screen of the demo clinic, as the person who uses it sees it,
at phone, tablet and desktop widths, each checked with axe-core, for 44-pixel targets, for
nothing wider than the screen and for a navigation bar of one row from tablet width up.

`make screenshots` writes them to docs/img, so a change in look shows in review; in the test
run they go to the test artifacts."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import User
from ketamine_clinic.demo.clinic import DEMO_PASSWORD, seed
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.interop.models import SmartApp
from ketamine_clinic.interop.smart.actions import register_app
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import Course
from ketamine_clinic.treatment_sessions.models import TreatmentSession
from tests.browser.conftest import ARTIFACTS, assert_accessible

pytestmark = pytest.mark.once  # long: one database only (Makefile)

OUT = Path(os.environ.get("KC_SCREENSHOTS", ARTIFACTS / "screens"))
DEVICES = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1280, 800)}


def screens(base: str = "http://testserver") -> list[tuple[str, str | None, str]]:
    """(name, who, address) of each main screen, in the demo clinic just seeded."""
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    app = SmartApp.objects.filter(application__name="Mood Tracker").first() or register_app(
        Actor(user=User.objects.get(username="admin"), via="cli"), chen.clinic,
        name="Mood Tracker", redirect_uris=["https://app.example.org/callback"],
        launch_url="https://app.example.org/launch",
    ).app  # fmt: skip
    asking = urlencode({
        "response_type": "code", "client_id": app.application.client_id,
        "redirect_uri": "https://app.example.org/callback", "state": "s",
        "scope": "launch/patient patient/Observation.rs patient/QuestionnaireResponse.rs",
        "aud": f"{base}/fhir", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    })  # fmt: skip
    course = Course.objects.filter(patient=chen).latest("created_at")
    evaluation = Evaluation.objects.filter(patient=chen).latest("created_at")
    session = TreatmentSession.objects.get()
    what_if = (
        f"/courses/{course.pk}/what-if/?a_dose_mg=35&a_days=0,3,7,10,14,17"
        "&b_dose_mg=35&b_days=0,7,14,21,28,35&duration_min=40"
    )
    return [
        ("login", None, "/login/"),
        ("dashboard", "drrivera", "/dashboard/"),
        ("patient-list", "sam", "/patients/"),
        ("patient-chart", "drrivera", f"/patients/{chen.pk}/"),
        ("evaluation", "drrivera", f"/evaluations/{evaluation.pk}/"),
        ("course", "drrivera", f"/courses/{course.pk}/"),
        ("what-if", "drrivera", what_if),
        ("protocols", "drrivera", "/protocols/"),
        ("inbox", "drrivera", "/inbox/"),
        ("today", "sam", "/chair/"),
        ("chair", "sam", f"/chair/{session.pk}/"),
        ("vault", "sam", "/vault/"),
        ("calendar", "jo", "/calendar/"),
        ("outcomes", "admin", "/reports/outcomes/"),
        ("clinic-settings", "admin", "/clinic/settings/"),
        ("audit-log", "admin", "/audit/"),
        ("data-exports", "admin", "/exports/"),
        ("api-tokens", "admin", "/account/api-tokens/"),
        ("fhir-record", "drrivera", f"/patients/{chen.pk}/fhir/"),
        ("patient-apps", "drrivera", f"/patients/{chen.pk}/apps/"),
        ("smart-authorize", "meichen", f"/oauth/authorize/?{asking}"),
        ("clinic-apps", "admin", "/clinic/apps/"),
        ("connected-apps", "meichen", "/account/apps/"),
        ("patient-portal", "meichen", "/patients/me/"),
        ("my-consents", "meichen", "/me/consents/"),
        ("phq9", "meichen", "/me/questionnaires/phq9/"),
    ]


def test_every_main_screen_at_every_width(live_server: object, browser: Browser) -> None:
    seed()
    base = str(live_server)
    shown = 0
    for device, (width, height) in DEVICES.items():
        contexts = {}
        for name, who, address in screens(base):
            if who not in contexts:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                if who:
                    page.goto(f"{base}/login/")
                    page.get_by_label("Username").fill(who)
                    page.get_by_label("Password").fill(DEMO_PASSWORD)
                    page.get_by_role("button", name="Log in").click()
                    page.wait_for_load_state()
                contexts[who] = (context, page)
            page = contexts[who][1]
            response = page.goto(f"{base}{address}", wait_until="networkidle")
            assert response is not None, (name, address)
            assert response.ok, (name, address)
            assert_accessible(page, f"{name}-{device}", OUT)
            # The page never scrolls sideways (wide tables scroll in their own box), and on a
            # tablet or wider the bar is one row.
            sideways = "() => { window.scrollTo(10000, window.scrollY); return window.scrollX; }"
            assert page.evaluate(sideways) == 0, (name, device)
            bar = page.evaluate("document.querySelector('.kc-nav').offsetHeight")
            assert device == "phone" or bar <= 64, (name, device, bar)
            shown += 1
        for context, _page in contexts.values():
            context.close()
    assert shown == len(DEVICES) * len(screens(base))
