"""Refresh the screenshots in docs/img from a running demo (`make demo` in another shell).

Usage: .venv/bin/python docs/make_screenshots.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django
from playwright.sync_api import Page, sync_playwright

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.server.settings")
django.setup()
from ketamine_clinic.demo.clinic import DEMO_PASSWORD  # noqa: E402  # needs Django set up first
from ketamine_clinic.treatment.models import Course  # noqa: E402
from ketamine_clinic.treatment_sessions.models import TreatmentSession  # noqa: E402

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).parent / "img"


def login(page: Page, username: str) -> None:
    page.goto(f"{BASE}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    course = Course.objects.get(patient__family_name="Chen", patient__given_name="Mei")
    session = TreatmentSession.objects.get()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        tablet = browser.new_context(viewport={"width": 1180, "height": 820})
        page = tablet.new_page()
        page.goto(f"{BASE}/login/")
        page.screenshot(path=OUT / "login.png")
        login(page, "drrivera")
        page.get_by_label("Search patients").fill("chen")
        page.wait_for_timeout(600)
        page.screenshot(path=OUT / "patient-search.png")
        page.get_by_role("link", name="Chen, Mei").click()
        page.wait_for_selector("img[alt^='PHQ-9 scores']")
        page.wait_for_timeout(800)
        page.screenshot(path=OUT / "patient-chart.png", full_page=True)
        page.get_by_role("link", name="IV racemic ketamine, evaluated").click()
        page.screenshot(path=OUT / "evaluation.png", full_page=True)
        page.go_back()
        page.goto(f"{BASE}/courses/{course.pk}/", wait_until="networkidle")
        page.screenshot(path=OUT / "course.png", full_page=True)
        page.goto(
            f"{BASE}/courses/{course.pk}/what-if/?a_dose_mg=35&a_days=0,3,7,10,14,17"
            "&b_dose_mg=35&b_days=0,7,14,21,28,35&duration_min=40",
            wait_until="networkidle",
        )
        page.screenshot(path=OUT / "what-if.png", full_page=True)
        page.goto(f"{BASE}/protocols/")
        page.screenshot(path=OUT / "protocols.png")
        page.goto(f"{BASE}/chair/{session.pk}/")
        page.screenshot(path=OUT / "chair.png", full_page=True)
        page.goto(f"{BASE}/dashboard/")
        page.screenshot(path=OUT / "dashboard.png", full_page=True)
        page.goto(f"{BASE}/vault/")
        page.screenshot(path=OUT / "vault.png", full_page=True)
        desk = browser.new_context(viewport={"width": 1180, "height": 820}).new_page()
        login(desk, "jo")
        desk.goto(f"{BASE}/calendar/")
        desk.wait_for_selector(".ec-event")
        desk.screenshot(path=OUT / "calendar.png")
        tablet.close()
        admin = browser.new_context(viewport={"width": 1180, "height": 820}).new_page()
        login(admin, "admin")
        admin.goto(f"{BASE}/audit/")
        admin.screenshot(path=OUT / "audit-log.png")
        phone = browser.new_context(viewport={"width": 390, "height": 760}).new_page()
        login(phone, "meichen")
        phone.screenshot(path=OUT / "patient-portal.png")
        phone.goto(f"{BASE}/me/questionnaires/phq9/")
        phone.screenshot(path=OUT / "phq9-phone.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
