"""Bulk FHIR export of a whole clinic: the Bulk Data kick-off, status and files; every line
validates; only the clinic's own patients; only admins; the files go when the client is done."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from ketamine_clinic.accounts.models import AccessLog, Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.demo.clinic import MAIN_CLINIC, seed
from ketamine_clinic.patients.models import Patient
from tests.conftest import World


@pytest.fixture(autouse=True)
def exports_in(tmp_path: Path, settings: Any) -> Path:
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def kick_off(client: Client, query: str = "") -> Any:
    return client.get(f"/fhir/$export{query}", headers={"Prefer": "respond-async"})


def test_the_whole_clinic_as_ndjson(db: None) -> None:
    seed()
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    started = kick_off(client)
    assert started.status_code == 202
    status_url = started["Content-Location"]
    manifest = json.loads(client.get(status_url).content)
    assert manifest["requiresAccessToken"] is True
    files = {f["type"]: f for f in manifest["output"]}
    clinic = Clinic.objects.get(name=MAIN_CLINIC)
    assert files["Patient"]["count"] == Patient.objects.filter(clinic=clinic).count()
    for kind in ("Organization", "Practitioner", "Observation", "QuestionnaireResponse",
                 "Encounter", "MedicationAdministration", "CarePlan"):  # fmt: skip
        assert files[kind]["count"] >= 1, kind
    for kind, entry in files.items():
        body = client.get(entry["url"])
        assert body["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(body.streaming_content).decode().splitlines()
        assert len(lines) == entry["count"]
        model = get_fhir_model_class(kind)
        ids = set()
        for line in lines:
            resource = json.loads(line)
            model.model_validate(resource)
            ids.add(resource["id"])
        assert len(ids) == len(lines)  # each resource once
    exported = {
        json.loads(line)["id"]
        for line in b"".join(client.get(files["Patient"]["url"]).streaming_content).splitlines()
    }
    assert exported == {str(pk) for pk in Patient.objects.filter(clinic=clinic).values_list(
        "pk", flat=True)}  # fmt: skip
    assert AccessLog.objects.filter(what__startswith="fhir bulk export").exists()
    assert client.delete(status_url).status_code == 202
    assert client.get(status_url).status_code == 404
    assert client.get(files["Patient"]["url"]).status_code == 404


def test_types_and_the_async_header(world: World) -> None:
    admin = world.client("admin")
    assert kick_off(admin, "?_type=Bogus").status_code == 400
    assert admin.get("/fhir/$export").status_code == 400  # no Prefer: respond-async
    only = kick_off(admin, "?_type=Patient")
    manifest = json.loads(admin.get(only["Content-Location"]).content)
    assert [f["type"] for f in manifest["output"]] == ["Patient"]
    assert manifest["output"][0]["count"] == 2  # clinic A's two patients


@pytest.mark.parametrize("persona", ["prescriber", "nurse", "front_desk", "patient"])
def test_only_admins_export_the_clinic(world: World, persona: str) -> None:
    response = kick_off(world.client(persona))
    assert response.status_code == 403
    assert json.loads(response.content)["resourceType"] == "OperationOutcome"


def test_another_clinic_cannot_read_an_export(world: World) -> None:
    started = kick_off(world.client("admin"))
    outsider = User.objects.create_user("other_admin", password="x" * 16)
    Membership.objects.create(user=outsider, clinic=world.other_clinic, role=Role.ADMIN)
    other = Client()
    other.force_login(outsider)
    assert other.get(started["Content-Location"]).status_code == 404
    assert Client().get(started["Content-Location"]).status_code == 401
