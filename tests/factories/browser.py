"""What browser tests do on every screen: log in, enter vitals."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.conftest import PASSWORD


def log_in(page: Page, live_server: object, username: str) -> None:
    page.goto(f"{live_server}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def vitals(page: Page, systolic: str = "128", diastolic: str = "82") -> None:
    form = page.locator("#vitals-form")
    form.get_by_label("Systolic (mmHg)").fill(systolic)
    form.get_by_label("Diastolic (mmHg)").fill(diastolic)
    form.get_by_label("Heart rate (/min)").fill("74")
    form.get_by_label("SpO2 (%)").fill("98")
    form.get_by_label("Resp. rate (/min)").fill("14")
    form.get_by_role("button", name="Save vitals").click()
