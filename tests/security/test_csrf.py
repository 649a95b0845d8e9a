"""Every form and htmx request that changes something, on every screen each role reaches,
carries the CSRF token, and the server refuses it without one."""

from __future__ import annotations

import pytest

from ketamine_clinic.demo.clinic import seed
from tests.security.crawler import crawl, logged_in

pytestmark = pytest.mark.once  # long: one database only (Makefile)

TOKEN_FIELD = 'name="csrfmiddlewaretoken"'


@pytest.mark.django_db
def test_every_form_carries_the_token_and_none_works_without_it() -> None:
    seed()
    writes: dict[str, str] = {}
    for username in ("admin", "drrivera", "sam", "jo", "meichen"):
        for page in crawl(logged_in(username)):
            posts = [a for method, a, htmx in page.forms if method == "post" and not htmx]
            assert page.body.count(TOKEN_FIELD) >= len(posts), (
                f"{page.path} has a form without the CSRF token"
            )
            if any(htmx for _, _, htmx in page.forms):  # htmx sends it from <body hx-headers>
                assert '"X-CSRFToken"' in page.body, page.path
            for method, action, _ in page.forms:
                if method != "get":
                    writes.setdefault(action, username)
    assert len(writes) >= 20, sorted(writes)  # the crawl reached the clinic's writing screens
    for action, username in sorted(writes.items()):
        response = logged_in(username, enforce_csrf=True).post(action, {})
        assert response.status_code == 403, f"{action} accepted a POST without a CSRF token"
