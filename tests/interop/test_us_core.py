"""Every resource sent in a US Core profile carries what the profile makes mandatory (US Core
6.1.0, each profile's "Mandatory and Must Support Data Elements"), and says so in
`meta.profile`; the CapabilityStatement names the same profiles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ketamine_clinic.accounts.models import User
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.interop.fhir import codes, profiles
from ketamine_clinic.interop.fhir.bundle import patient_resources, referenced
from ketamine_clinic.patients.models import Patient

P = profiles.US_CORE
# The elements each profile makes mandatory (1..), as dotted paths; `a|b` is either.
MANDATORY = {
    "us-core-patient": ["identifier.system", "identifier.value", "name", "gender"],
    "us-core-condition-problems-health-concerns": ["category", "code", "subject"],
    "us-core-allergyintolerance": ["code", "patient"],
    "us-core-encounter": ["status", "class", "type", "subject"],
    "us-core-medicationrequest": [
        "status", "intent", "medicationCodeableConcept|medicationReference", "subject",
        "requester",
    ],
    "us-core-careplan": ["text.status", "text.div", "status", "intent", "category", "subject"],
    "us-core-questionnaireresponse": ["questionnaire", "status", "subject", "authored"],
    "us-core-observation-screening-assessment": ["status", "category", "code", "subject"],
}  # fmt: skip
VITAL = ["status", "category", "code", "subject", "effectiveDateTime"]


def _at(value: Any, path: str) -> list[Any]:
    found = [value]
    for part in path.split("."):
        step = []
        for v in found:
            got = v.get(part) if isinstance(v, dict) else None
            step.extend(got if isinstance(got, list) else [got] if got is not None else [])
        found = step
    return found


def _has(resource: dict[str, Any], path: str) -> bool:
    return any(_at(resource, p) not in ([], [""]) for p in path.split("|"))


def _codes(concept: Any) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in (concept or {}).get("coding", [])}


@pytest.fixture
def record(db: None) -> list[dict[str, Any]]:
    """The whole demo clinic's record, every resource it sends."""
    seed()
    found: list[dict[str, Any]] = []
    for patient in Patient.objects.all():
        own = list(patient_resources(patient))
        found += own + list(referenced(patient, own))
    return found


def test_every_profiled_resource_carries_what_its_profile_requires(
    record: list[dict[str, Any]],
) -> None:
    seen: set[str] = set()
    for resource in record:
        profile = profiles.of(resource)
        kind = resource["resourceType"]
        if kind in profiles.BY_TYPE or kind == "Observation":
            assert profile is not None, resource
        if profile is None:
            assert "profile" not in resource.get("meta", {})
            continue
        assert resource["meta"]["profile"] == [profile]
        name = profile.removeprefix(P)
        seen.add(name)
        for path in MANDATORY.get(name, VITAL):
            assert _has(resource, path), (name, path, resource["id"])
        if name in profiles.VITAL_SIGNS.values():
            _vital(name, resource)
    assert seen == set(MANDATORY) | set(profiles.VITAL_SIGNS.values())


def _vital(name: str, observation: dict[str, Any]) -> None:
    """The fixed code, the vital-signs category, UCUM quantities (US Core Vital Signs)."""
    assert (codes.OBSERVATION_CATEGORY, "vital-signs") in _codes(observation["category"][0])
    fixed = next(c for c, p in profiles.VITAL_SIGNS.items() if p == name)
    assert (codes.LOINC, fixed) in _codes(observation["code"])
    quantities = [observation.get("valueQuantity")] if name != "us-core-blood-pressure" else [
        c["valueQuantity"] for c in observation["component"]
    ]  # fmt: skip
    for quantity in quantities:
        assert quantity["system"] == codes.UCUM
        assert quantity["code"]
        assert quantity["value"] is not None
    if name == "us-core-blood-pressure":
        parts = {c for comp in observation["component"] for c in _codes(comp["code"])}
        assert {(codes.LOINC, "8480-6"), (codes.LOINC, "8462-4")} <= parts
    if name == "us-core-pulse-oximetry":
        assert (codes.LOINC, "2708-6") in _codes(observation["code"])


def test_the_slices_the_profiles_fix(record: list[dict[str, Any]]) -> None:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for resource in record:
        by_kind.setdefault(resource["resourceType"], []).append(resource)
    for condition in by_kind["Condition"]:
        assert (codes.CONDITION_CATEGORY, "problem-list-item") in _codes(condition["category"][0])
    for plan in by_kind["CarePlan"]:
        assert (codes.CAREPLAN_CATEGORY, "assess-plan") in _codes(plan["category"][0])
        assert plan["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
    for encounter in by_kind["Encounter"]:
        assert encounter["serviceProvider"]["reference"].startswith("Organization/")
    surveys = [o for o in by_kind["Observation"] if profiles.of(o) == P + "us-core-"
               "observation-screening-assessment"]  # fmt: skip
    assert surveys
    assert all((codes.OBSERVATION_CATEGORY, "survey") in _codes(o["category"][0]) for o in surveys)


@pytest.mark.pure
@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ({"resourceType": "MedicationAdministration"}, None),  # US Core has none
        ({"resourceType": "Consent"}, None),
        ({"resourceType": "AdverseEvent"}, None),
        (
            {"resourceType": "Observation",
             "category": [{"coding": [{"code": "vital-signs"}]}],
             "code": {"coding": [{"code": "59408-5"}, {"code": "2708-6"}]}},
            P + "us-core-pulse-oximetry",
        ),
        (  # a vital-signs code outside the vital-signs category is not claimed
            {"resourceType": "Observation", "category": [{"coding": [{"code": "exam"}]}],
             "code": {"coding": [{"code": "8867-4"}]}},
            None,
        ),
        (  # a vital sign US Core does not profile (e.g. temperature here) is not claimed
            {"resourceType": "Observation",
             "category": [{"coding": [{"code": "vital-signs"}]}],
             "code": {"coding": [{"code": "8310-5"}]}},
            None,
        ),
    ],
)  # fmt: skip
def test_a_profile_is_claimed_only_where_it_is_met(
    resource: dict[str, Any], expected: str | None
) -> None:
    assert profiles.of(resource) == expected


def test_the_capability_statement_names_the_profiles(db: None) -> None:
    statement = Client().get("/fhir/metadata").json()
    named = {r["type"]: r.get("supportedProfile", []) for r in statement["rest"][0]["resource"]}
    assert named["Patient"] == [P + "us-core-patient"]
    assert P + "us-core-blood-pressure" in named["Observation"]
    assert P + "us-core-observation-screening-assessment" in named["Observation"]
    assert named["Condition"] == [P + "us-core-condition-problems-health-concerns"]
    assert named["MedicationAdministration"] == []
    assert User.objects.count() == 0  # metadata reads nothing
