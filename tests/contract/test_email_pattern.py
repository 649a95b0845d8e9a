"""The schema's email pattern describes only addresses Django's validator takes, so a client
that writes what the schema allows is never refused."""

from __future__ import annotations

import pytest
from django.core.validators import validate_email
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.common.schema_types import EMAIL

pytestmark = pytest.mark.pure


@given(st.from_regex(EMAIL, fullmatch=True).filter(bool).filter(lambda e: len(e) <= 254))
def test_every_address_the_pattern_allows_is_valid(address: str) -> None:
    validate_email(address)  # raises if not
