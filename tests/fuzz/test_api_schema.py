"""Schemathesis against /api/v1/openapi.json, authenticated, every operation: no response is
a server error, every status answered is documented, and every response matches its schema.
Bounded: a few generated requests per operation and persona, so it runs in `make test`."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ketamine_clinic.accounts.authn import issue_token
from ketamine_clinic.server.wsgi import application
from tests.conftest import World

pytestmark = pytest.mark.once  # long: one database only (Makefile)

EXAMPLES = 6  # per operation and persona: the whole API in about two minutes
turns = itertools.count()


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: CI is repeatable
    suppress_health_check=list(HealthCheck),
)


def call(case: Any, world: World, persona: str) -> None:
    """As Django's test client does: the test's database connection stays open across the
    WSGI request (its start and end would close it, and with it the test database)."""
    token = issue_token(world.users[persona], None).token
    if "patient_id" in (case.path_parameters or {}) and next(turns) % 2 == 0:
        case.path_parameters["patient_id"] = str(world.patient.pk)  # a real chart, every other time
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            checks=[
                not_a_server_error,
                status_code_conformance,  # every status answered is documented
                response_schema_conformance,
                content_type_conformance,
                response_headers_conformance,
            ],
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@BUDGET
def test_as_a_prescriber(case: Any, world: World) -> None:
    call(case, world, "prescriber")


@schema.parametrize()
@BUDGET
def test_as_the_owner(case: Any, world: World) -> None:
    call(case, world, "admin")


@schema.parametrize()
@BUDGET
def test_as_a_patient(case: Any, world: World) -> None:
    """The portal's own person: their chart only, everything else refused in the one shape."""
    call(case, world, "patient")
