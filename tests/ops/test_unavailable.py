"""A database that cannot be reached answers 503 with Retry-After, on screens and in the API,
so clients retry; any other failure is still a 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError

from tests.conftest import World


@pytest.mark.parametrize(
    "error", [OperationalError("server closed the connection"), InterfaceError("closed")]
)
def test_a_database_outage_is_503_and_says_to_retry(world: World, error: Exception) -> None:
    client = world.client("nurse")
    client.raise_request_exception = False
    with mock.patch("ketamine_clinic.clinic.views.current_membership", side_effect=error):
        page = client.get("/")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "nothing was saved" in page.content.decode()
    api = world.api("nurse")
    api.client.raise_request_exception = False
    with mock.patch("ketamine_clinic.accounts.api._user", side_effect=error):
        answer = api.get("/me")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert "try again" in answer.json()["detail"].lower()


def test_other_failures_stay_500(world: World) -> None:
    client = world.client("nurse")
    client.raise_request_exception = False
    with mock.patch("ketamine_clinic.clinic.views.current_membership", side_effect=KeyError):
        page = client.get("/")
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()
