"""The FHIR server answers FHIR JSON only and says so: XML asked for is a 406, and every
error under /fhir/, wherever it arises, is an OperationOutcome."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import World


def outcome_of(answer: Any) -> dict[str, Any]:
    assert answer["Content-Type"].startswith("application/fhir+json")
    body: dict[str, Any] = json.loads(answer.content)
    assert body["resourceType"] == "OperationOutcome"
    return body


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("?_format=xml", ""),
        ("?_format=application/fhir%2Bxml", "application/fhir+json"),  # _format wins
        ("", "application/fhir+xml"),
        ("", "application/xml, text/xml;q=0.9"),
    ],
)
def test_xml_only_is_406(db: None, query: str, accept: str) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = Client().get(f"/fhir/metadata{query}", headers=headers)
    assert answer.status_code == 406
    assert "FHIR JSON only" in outcome_of(answer)["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("", ""),
        ("", "*/*"),
        ("", "application/fhir+json"),
        ("", "application/json"),
        ("", "application/fhir+xml, application/fhir+json;q=0.8"),
        ("?_format=json", "application/fhir+xml"),
        ("?_format=application/fhir%2Bjson", ""),
    ],
)
def test_json_is_answered(db: None, query: str, accept: str) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = Client().get(f"/fhir/metadata{query}", headers=headers)
    assert answer.status_code == 200
    assert json.loads(answer.content)["resourceType"] == "CapabilityStatement"


def test_every_error_is_an_operation_outcome(world: World) -> None:
    nurse = world.client("nurse")
    unknown = nurse.get("/fhir/NoSuchResource/1")  # no route: Django's own 404
    assert unknown.status_code == 404
    assert outcome_of(unknown)["issue"][0]["code"] == "not-found"
    wrong_method = nurse.delete("/fhir/metadata")
    assert wrong_method.status_code == 405
    assert outcome_of(wrong_method)["issue"][0]["code"] == "not-supported"
    assert "GET" in wrong_method["Allow"]
    malformed = nurse.get("/fhir/Patient/not-an-id/$everything")
    assert malformed.status_code == 400
    assert "patient_id" in outcome_of(malformed)["issue"][0]["diagnostics"]
    anonymous = Client().get(f"/fhir/Patient/{world.patient.pk}/$everything")
    assert anonymous.status_code == 401
    assert outcome_of(anonymous)["issue"][0]["code"] == "login"
    elsewhere = nurse.get(f"/fhir/Patient/{world.other_patient.pk}/$everything")
    assert elsewhere.status_code == 404
    outcome_of(elsewhere)


def test_pages_outside_fhir_keep_their_own_errors(world: World) -> None:
    page = world.client("nurse").get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    api = world.api("nurse").get("/no-such-thing")
    assert api.status_code == 404
