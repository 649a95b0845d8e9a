"""Whatever a client sends to the patient endpoints, the answer is never a server error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import World

FIELDS = ["given_name", "family_name", "birth_date", "sex", "weight_kg", "height_cm", "mrn",
          "email", "phone", "clinic", "confirm_not_duplicate", "version"]  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
BODIES = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=len(FIELDS))
VALID = {
    "given_name": "A",
    "family_name": "B",
    "birth_date": "1990-01-01",
    "sex": "male",
    "weight_kg": 80,
    "height_cm": 180,
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, based_on_valid=st.booleans())
def test_create_and_patch_never_500(
    world: World, body: dict[str, Any], based_on_valid: bool
) -> None:
    api = world.api("prescriber")
    payload = {**VALID, **body} if based_on_valid else body
    for method, path in (("POST", "/patients"), ("PATCH", f"/patients/{world.patient.pk}")):
        response = api.client.generic(
            method,
            f"/api/v1{path}",
            json.dumps(payload, allow_nan=True),
            content_type="application/json",
            headers=api.headers,
        )
        assert response.status_code < 500, (method, payload, response.content)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200))
def test_garbage_bodies_never_500(world: World, raw: bytes) -> None:
    api = world.api("nurse")
    response = api.client.post(
        "/api/v1/patients", data=raw, content_type="application/json", headers=api.headers
    )
    assert response.status_code < 500


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=120), limit=st.integers(-5, 10**6), offset=st.integers(-5, 10**9))
def test_search_parameters_never_500(world: World, q: str, limit: int, offset: int) -> None:
    response = world.api("nurse").get("/patients", data={"q": q, "limit": limit, "offset": offset})
    assert response.status_code < 500
