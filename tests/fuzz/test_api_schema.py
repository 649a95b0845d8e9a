"""Schemathesis against /api/v1/openapi.json, authenticated, every operation, with every
check: no response is a server error, every status answered is documented, every response
matches its schema and headers, data the schema forbids is refused, a request without its
credentials is refused, an unsupported method answers 405 with Allow, and data the schema
allows is accepted. Bounded: a few generated requests per operation and persona, so it runs
in `make test`.

Accepting what the schema allows is checked as schemathesis does (positive_data_acceptance),
with one reading of its own: a 422 that names a business rule is an answer, not a breach.
Some rules cannot be written in a schema: a record the body names that does not exist, a
date not in the future, an end after its start, a DEA number's check digit. Those answers
are 422 with the field named, and of type `rule` or with none; a 422 of any other type is
the schema's own validation refusing what the schema allowed, and fails the run."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ketamine_clinic.accounts.authn import issue_token
from ketamine_clinic.server.wsgi import application
from tests.conftest import World

pytestmark = pytest.mark.once  # long: one database only (Makefile)

EXAMPLES = 6  # per operation and persona: the whole API in about two minutes
turns = itertools.count()


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# The token is sent by `call`: schemathesis does not make up credentials of its own.
schema.config.generation.update(with_security_parameters=False)
BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: CI is repeatable
    suppress_health_check=list(HealthCheck),
)


def accepted_unless_a_rule_refuses(ctx: Any, response: Any, case: Any) -> None:
    """positive_data_acceptance, where a 422 whose every error is a rule (of type `rule`, or
    with no type) counts as accepted: the request was well formed, the clinic's rules said
    no."""
    __tracebackhide__ = True
    try:
        positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code != 422:
            raise
        errors = response.json().get("detail")
        if not isinstance(errors, list) or any(e.get("type", "rule") != "rule" for e in errors):
            raise


def call(case: Any, world: World, persona: str) -> None:
    """As Django's test client does: the test's database connection stays open across the
    WSGI request (its start and end would close it, and with it the test database)."""
    token = issue_token(world.users[persona], None).token
    real = case.meta is not None and case.meta.generation.mode.is_positive  # negative: as made
    if real and "patient_id" in (case.path_parameters or {}) and next(turns) % 2 == 0:
        case.path_parameters["patient_id"] = str(world.patient.pk)  # a real chart, every other time
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=[positive_data_acceptance],
            additional_checks=[accepted_unless_a_rule_refuses],
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
