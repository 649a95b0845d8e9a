"""A nurse receives a delivery, wastes a dropped partial vial with a colleague as witness at
the same tablet, and counts the vault; the owner sees the shortfall and its DEA deadlines."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, World
from tests.factories.browser import log_in
from tests.factories.ledger import product_id


def test_receive_waste_and_count(live_server: object, world: World, page: Page) -> None:
    product_id(world)
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet, upright
    log_in(page, live_server, "nurse")
    page.get_by_role("link", name="Vault", exact=True).click()
    expect(page.get_by_text("No DEA registration recorded")).to_be_visible()
    page.get_by_role("link", name="Receive stock").click()
    page.get_by_label("Product").select_option(
        label="Ketamine HCl 50 mg/mL, 10 mL vial (0409-2051-05)"
    )
    page.get_by_label("Number of containers").fill("2")
    page.get_by_label("Lot").fill("KX2291")
    page.get_by_label("Expires on").fill("2030-01-31")
    page.get_by_label("Supplier name").fill("Medline Pharma")
    page.get_by_label("Supplier address").fill("1 Supply Way, Chicago IL")
    page.get_by_label("Supplier's DEA number").fill("RM1234563")
    page.get_by_label("Invoice or DEA Form 222 reference").fill("INV-88812")
    assert_accessible(page, "vault-receive")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_text("2 received and labelled K00001 to K00002.")).to_be_visible()
    assert_accessible(page, "vault")

    page.get_by_role("link", name="K00001").click()
    page.get_by_role("link", name="Waste, witnessed").click()
    page.get_by_label("Quantity").fill("0.3")
    page.get_by_label("Unit").select_option("mL")
    page.get_by_label("What is wasted and why").fill("Left in the syringe")
    page.get_by_label("Witness username").fill("prescriber")
    page.get_by_label("Witness password").fill(PASSWORD)
    assert_accessible(page, "vault-waste")
    page.get_by_role("button", name="Waste, witnessed").click()
    expect(page.get_by_text("Wasted before prescriber: 15 mg; 485 mg left")).to_be_visible()
    expect(page.locator("#history tr[data-kind='waste']")).to_contain_text("prescriber")

    page.get_by_role("link", name="Vault", exact=True).click()
    page.get_by_role("link", name="Count", exact=True).click()
    page.get_by_label("Kind").select_option("initial")
    page.get_by_label("K00001 counted").fill("9.7")
    page.get_by_label("K00002 counted").fill("9.5")
    assert_accessible(page, "vault-count")
    page.get_by_role("button", name="Save the count").click()
    expect(page.locator(".alert-danger")).to_contain_text("25 mg is missing against the books.")
    expect(page.locator("tr[data-short='yes']")).to_contain_text("K00002")
    assert_accessible(page, "vault-count-result")

    page.locator("#kc-account-menu").click()
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "admin")
    page.get_by_role("link", name="Vault", exact=True).click()
    page.get_by_role("link", name="Counts and losses").click()
    expect(page.locator("#open-losses")).to_contain_text("due")
    page.locator("#open-losses a").first.click()
    page.get_by_role("button", name="Record the notice").click()
    expect(page.get_by_text("The DEA notice is recorded as sent.")).to_be_visible()
    page.get_by_label("Form 106 confirmation").fill("F106-2026-7")
    page.get_by_role("button", name="Record Form 106").click()
    expect(page.get_by_text("DEA Form 106 is recorded as filed.")).to_be_visible()
    assert_accessible(page, "vault-loss-report")
