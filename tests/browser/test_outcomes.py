"""The owner opens the outcome report from the menu, changes the period, and the page stays
accessible."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import World
from tests.factories.browser import log_in
from tests.factories.worker import run_worker


def test_the_outcome_report(live_server: object, world: World, page: Page) -> None:
    log_in(page, live_server, "admin")
    page.get_by_role("button", name="Clinic").click()  # the owner's screens, in one menu
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="Response and remission")).to_be_visible()
    start = (timezone.localdate() - timedelta(days=700)).isoformat()
    page.get_by_label("Start").fill(start)
    page.get_by_role("button", name="Show").click()
    shown = date_format(date.fromisoformat(start))  # "5 Jan 2025": as people read dates
    expect(page.get_by_text(f"Courses started {shown} to")).to_be_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert_accessible(page, "outcomes")


def test_month_end_exports_from_the_screens(
    live_server: object, world: World, page: Page, tmp_path: Path, settings: Any
) -> None:
    """Journey 6's exports: the whole clinic as FHIR, a patient's FHIR record for the
    psychiatrist taking her over, and the research extract with its dictionary."""
    settings.EXPORT_DIR = tmp_path
    log_in(page, live_server, "admin")
    page.get_by_role("button", name="Clinic").click()
    page.get_by_role("link", name="Data exports").click()
    expect(page.get_by_role("heading", name="Research extract")).to_be_visible()
    expect(page.locator("#dictionary-patients")).to_contain_text("study_id")
    page.get_by_role("button", name="Export every patient now").click()
    expect(page.get_by_text("Export started: 2 patients to write.")).to_be_visible()
    expect(page.locator("#exports")).to_contain_text("waiting for the background worker")
    assert_accessible(page, "data-exports-queued")
    run_worker()  # the worker writes it; the list, watching itself, shows the files
    expect(page.locator("#exports")).to_contain_text("Patient (2)")
    assert_accessible(page, "data-exports")
    with page.expect_download() as extract:
        page.get_by_role("link", name="Download (CSV)").click()
    assert extract.value.suggested_filename == "research-extract-csv.zip"
    page.goto(f"{live_server}/patients/{world.own_patient.pk}/")
    page.get_by_role("link", name="FHIR record").click()
    expect(page.locator("#fhir-counts")).to_contain_text("Patient: 1")
    with page.expect_download() as bundle:
        page.get_by_role("link", name="Download (FHIR JSON)").click()
    assert bundle.value.suggested_filename.endswith(".json")
