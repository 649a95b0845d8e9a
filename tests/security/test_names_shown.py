"""The leak check of the crawls: a name is found where a page shows it, never inside the
random CSRF token or CSP nonce that every page carries (which once failed CI by chance)."""

from __future__ import annotations

import pytest

from tests.security.crawler import names_shown

pytestmark = pytest.mark.pure

TOKEN = "aB3xKimQ" * 8  # 64 characters, as Django's masked token, with "Kim" inside


def test_a_name_inside_the_random_tokens_is_not_shown() -> None:
    body = (
        f'<body hx-headers=\'{{"X-CSRFToken": "{TOKEN}"}}\'>'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{TOKEN}">'
        f'<script nonce="xKim+/Sato=="></script></body>'
    )
    assert names_shown(body, {"Kim", "Sato"}) == []


def test_a_name_in_text_or_an_attribute_is_shown() -> None:
    body = (
        f'<td>Kim</td><input value="Sato, Ren"><input name="csrfmiddlewaretoken" value="{TOKEN}">'
    )
    assert names_shown(body, {"Kim", "Sato", "Novak"}) == ["Kim", "Sato"]


def test_a_name_inside_a_longer_word_is_not_that_name() -> None:
    assert names_shown("<td>Kimberly Satoshi</td>", {"Kim", "Sato"}) == []
