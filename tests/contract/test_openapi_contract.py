"""The API's contract as an integrator reads it: every component name names one shape, every
operation documents the errors it can answer in the one error shape, paging is bounded, and
requests refused before any view runs (a bad Host, a body nested too deeply) are 4xx."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from ninja.operation import Operation
from pydantic import BaseModel, TypeAdapter

from ketamine_clinic.api import api
from ketamine_clinic.common.api_contract import MAX_PAGE, BodySchema, Error
from tests.conftest import World


def operations() -> list[Operation]:
    return [
        op
        for _prefix, router in api._routers
        for view in router.path_operations.values()
        for op in view.operations
    ]


def models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    """Every pydantic model an annotation reaches (lists, unions, nested fields)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            models_in(field.annotation, found)
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        models_in(arg, found)


def test_no_two_shapes_share_a_component_name() -> None:
    """Two schemas named SessionOut once made nine chair-session operations advertise the
    scheduled visit's shape; a generated client could not read their answers."""
    found: set[type[BaseModel]] = set()
    for op in operations():
        for model in op.response_models.values():
            if isinstance(model, type) and issubclass(model, BaseModel):
                models_in(model.model_fields["response"].annotation, found)
        for model in op.models:
            models_in(model, found)
    by_name: dict[str, set[str]] = {}
    for model in found:
        if model.__module__.startswith("ketamine_clinic"):
            by_name.setdefault(model.__name__, set()).add(model.__module__)
    assert {n: m for n, m in by_name.items() if len(m) > 1} == {}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1/")  # type: ignore[no-any-return]


def test_operation_ids_are_short_and_unique(schema: dict[str, Any]) -> None:
    """A generated client names its methods after them: `get_patient`, not the module path."""
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if "ketamine_clinic" in i or not i.isidentifier()] == []


def test_every_operation_documents_its_errors_in_one_shape(schema: dict[str, Any]) -> None:
    missing = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            answers = {int(s) for s in op["responses"]}
            wanted = set()
            if op.get("security") != []:
                wanted |= {401, 403, 404}
            if "requestBody" in op:
                wanted |= {400, 413, 422}
            if op.get("parameters"):
                wanted.add(422)
            if method in {"post", "put", "patch", "delete"}:
                wanted.add(409)
            if wanted - answers:
                missing.append(f"{method.upper()} {path}: {sorted(wanted - answers)}")
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", (path, status)
    assert missing == []
    assert len(schema["paths"]) > 80
    shape = schema["components"]["schemas"]["Error"]
    assert shape["required"] == ["detail"]


def test_real_errors_have_the_documented_shape(world: World) -> None:
    shape = TypeAdapter(Error)
    answers = [
        world.api(None).get("/patients"),  # 401
        world.api("front_desk").get(f"/patients/{world.patient.pk}/evaluations"),  # 403
        world.api("prescriber").get(f"/patients/{world.other_patient.pk}"),  # 404
        world.api("prescriber").post("/patients", {"given_name": "A"}),  # 422
        world.api("prescriber").get("/patients?limit=0"),  # 422 from the query
    ]
    assert [a.status_code for a in answers] == [401, 403, 404, 422, 422]
    for answer in answers:
        shape.validate_python(json.loads(answer.content))


@pytest.mark.parametrize(
    "query",
    [f"limit={MAX_PAGE + 1}", "limit=0", f"limit={2**63}", f"offset={2**63}", "offset=-1"],
)
def test_paging_is_bounded(world: World, query: str) -> None:
    """2^63 once reached the database and answered 500; a page has at most MAX_PAGE rows."""
    answer = world.api("prescriber").get(f"/patients?{query}")
    assert answer.status_code == 422
    assert json.loads(answer.content)["detail"][0]["loc"][0] == "query"


def test_a_page_within_the_bounds(world: World) -> None:
    answer = world.api("prescriber").get(f"/patients?limit={MAX_PAGE}&offset=1")
    assert answer.status_code == 200
    assert json.loads(answer.content)["count"] == 2  # clinic A's two patients


def test_a_bad_host_is_a_400_in_the_shape_of_where_it_was_sent(world: World) -> None:
    """The error page once read request.user, which authentication had not set yet: 500."""
    client = Client(HTTP_HOST="attacker.example")
    page = client.get("/")
    assert page.status_code == 400
    assert b"Bad request" in page.content
    api_answer = client.get("/api/v1/patients")
    assert api_answer.status_code == 400
    TypeAdapter(Error).validate_python(json.loads(api_answer.content))
    fhir = client.get("/fhir/Patient")
    assert fhir.status_code == 400
    assert json.loads(fhir.content)["resourceType"] == "OperationOutcome"
    assert fhir["Content-Type"] == "application/fhir+json"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [100, 100_000])
def test_a_body_nested_too_deeply_is_refused(world: World, depth: int) -> None:
    """Deep JSON once ran the FHIR import out of recursion (a 500)."""
    admin = world.client("admin")
    fhir = admin.post("/fhir/", nested(depth), content_type="application/fhir+json")
    assert fhir.status_code == 400
    body = json.loads(fhir.content)
    assert body["resourceType"] == "OperationOutcome"
    assert "nested more than 64 levels" in body["issue"][0]["diagnostics"]
    api_answer = world.api("prescriber").client.post(
        "/api/v1/patients",
        '{"given_name": ' + nested(depth) + "}",
        content_type="application/json",
        headers=world.api("prescriber").headers,
    )
    assert api_answer.status_code == 400
    TypeAdapter(Error).validate_python(json.loads(api_answer.content))


def test_a_body_of_ordinary_depth_is_read(world: World) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
    answer = world.client("admin").post(
        "/fhir/", json.dumps(bundle), content_type="application/fhir+json"
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"substance": "Latex", "noted_on": 0}, "noted_on", "must be a date written YYYY-MM-DD"),
        ({"substance": "Latex", "noted_on": 1.5e9}, "noted_on", "not a number"),
        ({"substance": "Latex", "noted_on": True}, "noted_on", "not a number"),
    ],
)
def test_a_number_is_not_a_date(world: World, body: dict[str, Any], field: str, words: str) -> None:
    """`"noted_on": 0` once became 1970-01-01 (pydantic's lax mode reads seconds)."""
    answer = world.api("prescriber").post(f"/patients/{world.patient.pk}/allergies", body)
    assert answer.status_code == 422
    [problem] = json.loads(answer.content)["detail"]
    assert problem["loc"][-1] == field
    assert words in problem["msg"]


@pytest.mark.parametrize("value", [1, 0, "yes", "true", "on"])
def test_only_true_or_false_is_a_yes_or_no(world: World, value: Any) -> None:
    body = {"kind": "antidepressant", "name": "Sertraline", "in_current_episode": value}
    answer = world.api("prescriber").post(f"/patients/{world.patient.pk}/treatment-history", body)
    assert answer.status_code == 422
    [problem] = json.loads(answer.content)["detail"]
    assert (problem["loc"][-1], problem["msg"]) == ("in_current_episode", "must be true or false")


def test_json_s_own_types_are_read(world: World) -> None:
    api = world.api("prescriber")
    allergy = api.post(
        f"/patients/{world.patient.pk}/allergies", {"substance": "Latex", "noted_on": "2020-02-03"}
    )
    assert allergy.status_code == 201
    trial = {"kind": "antidepressant", "name": "Sertraline", "in_current_episode": False,
             "started_on": "2024-01-01"}  # fmt: skip
    assert api.post(f"/patients/{world.patient.pk}/treatment-history", trial).status_code == 201
    listed = api.get("/patients?include_entered_in_error=true")  # a query keeps its text
    assert listed.status_code == 200


def test_every_body_reads_json_s_own_types() -> None:
    """A body added later cannot slip back to lax reading: each one is a BodySchema."""
    found: set[type[BaseModel]] = set()
    for op in operations():
        for model in op.models:
            if getattr(model, "__ninja_param_source__", None) == "body":
                models_in(model, found)
    lax = sorted(
        m.__name__
        for m in found
        if m.__module__.startswith("ketamine_clinic") and not issubclass(m, BodySchema)
    )
    assert lax == []


def test_an_amount_s_places_and_digits_are_in_the_schema(schema: dict[str, Any]) -> None:
    """A measurement above 0 of at most 6 digits, 2 after the point: as a number and as its
    text, whose pattern holds the same range."""
    number, text = schema["components"]["schemas"]["MeasurementCreate"]["properties"]["value"][
        "anyOf"
    ]
    assert (number["multipleOf"], number["maximum"]) == (0.01, 9999.99)
    written = re.compile(text["pattern"])
    assert [bool(written.match(t)) for t in ("0", "9999.99", "10000", "0.01", "5.555", "-1")] == [
        False, True, False, True, False, False,
    ]  # fmt: skip


def test_true_is_not_a_number(world: World) -> None:
    body = {
        "covariates": {"weight_kg": 70, "age_years": 40},
        "regimen": [{"dose_mg": 35, "route": "im"}],
        "population": {"n": 10, "seed": False},
    }
    answer = world.api("prescriber").post("/pk/simulate", body)
    assert answer.status_code == 422
    problems = {p["loc"][-1]: p["msg"] for p in json.loads(answer.content)["detail"]}
    assert problems["seed"] == "must be a number, not true or false"


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-3-1", "yesterday"])
def test_a_date_in_the_query_is_written_yyyy_mm_dd(world: World, value: str) -> None:
    """`?on=0` once listed the sessions of 1 Jan 1970."""
    answer = world.api("nurse").get(f"/sessions?on={value}")
    assert answer.status_code == 422
    [problem] = json.loads(answer.content)["detail"]
    assert (problem["loc"], problem["msg"]) == (
        ["query", "on"],
        "must be a date written YYYY-MM-DD",
    )
    assert world.api("nurse").get("/sessions?on=2026-03-01").status_code == 200


def test_a_date_in_a_body_is_written_yyyy_mm_dd(world: World) -> None:
    body = {"substance": "Latex", "noted_on": "1700000000"}
    answer = world.api("prescriber").post(f"/patients/{world.patient.pk}/allergies", body)
    assert answer.status_code == 422
    assert json.loads(answer.content)["detail"][0]["msg"] == "must be a date written YYYY-MM-DD"
