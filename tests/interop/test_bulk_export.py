"""Bulk FHIR export of a whole clinic: the Bulk Data kick-off, status and files; every line
validates; only the clinic's own patients; only admins; the files go when the client is done."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from ketamine_clinic.accounts.models import AccessLog, Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.demo.clinic import MAIN_CLINIC, seed
from ketamine_clinic.interop import bulk
from ketamine_clinic.interop.models import BulkExport
from ketamine_clinic.patients.models import Patient
from tests.conftest import World
from tests.factories.worker import run_worker

# The worker runs in the test's process and closes its database connection between tasks,
# as it does in production, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def exports_in(tmp_path: Path, settings: Any) -> Path:
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def kick_off(client: Client, query: str = "") -> Any:
    return client.get(f"/fhir/$export{query}", headers={"Prefer": "respond-async"})


def written(client: Client, query: str = "") -> str:
    """Kick off, see it queued, let the worker write it; the status URL."""
    started = kick_off(client, query)
    assert started.status_code == 202
    status_url: str = started["Content-Location"]
    queued = client.get(status_url)
    assert (queued.status_code, queued["X-Progress"]) == (202, "queued for the worker")
    assert queued["Retry-After"] == "2"
    run_worker()
    return status_url


def test_the_whole_clinic_as_ndjson() -> None:
    seed()
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    status_url = written(client)
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
    manifest = json.loads(admin.get(written(admin, "?_type=Patient")).content)
    assert [f["type"] for f in manifest["output"]] == ["Patient"]
    assert manifest["output"][0]["count"] == 2  # clinic A's two patients


@pytest.mark.parametrize("persona", ["prescriber", "nurse", "front_desk", "patient"])
def test_only_admins_export_the_clinic(world: World, persona: str) -> None:
    response = kick_off(world.client(persona))
    assert response.status_code == 403
    assert json.loads(response.content)["resourceType"] == "OperationOutcome"
    patient_level = world.client(persona).get(
        "/fhir/Patient/$export", headers={"Prefer": "respond-async"}
    )
    assert patient_level.status_code == 403
    assert not BulkExport.objects.exists()


def test_another_clinic_cannot_read_an_export(world: World) -> None:
    started = kick_off(world.client("admin"))
    outsider = User.objects.create_user("other_admin", password="x" * 16)
    Membership.objects.create(user=outsider, clinic=world.other_clinic, role=Role.ADMIN)
    other = Client()
    other.force_login(outsider)
    assert other.get(started["Content-Location"]).status_code == 404
    assert Client().get(started["Content-Location"]).status_code == 401


def test_the_status_shows_progress_while_the_worker_writes(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker saves the count of patients written as it goes; the status says how far."""
    monkeypatch.setattr(bulk, "PROGRESS_EVERY_S", 0.0)
    admin = world.client("admin")
    status_url = kick_off(admin)["Content-Location"]
    export = BulkExport.objects.get()
    assert (export.patients, export.patients_total, export.percent) == (0, 2, 0)
    seen: list[str] = []
    real = bulk.patient_resources

    def watched(patient: Patient) -> Any:
        seen.append(admin.get(status_url)["X-Progress"])
        return real(patient)

    monkeypatch.setattr(bulk, "patient_resources", watched)
    run_worker()
    assert seen == ["writing: 0 of 2 patients (0%)", "writing: 1 of 2 patients (50%)"]
    assert admin.get(status_url).status_code == 200


def test_a_failed_export_answers_an_operation_outcome(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(patient: Patient) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(bulk, "patient_resources", broken)
    admin = world.client("admin")
    status_url = kick_off(admin)["Content-Location"]
    run_worker()
    failed = admin.get(status_url)
    assert failed.status_code == 500
    body = json.loads(failed.content)
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["diagnostics"].startswith("The export stopped (OSError)")


def test_an_export_deleted_while_it_is_written_stops(
    world: World, monkeypatch: pytest.MonkeyPatch, exports_in: Path
) -> None:
    monkeypatch.setattr(bulk, "PROGRESS_EVERY_S", 0.0)
    admin = world.client("admin")
    status_url = kick_off(admin)["Content-Location"]
    real = bulk.patient_resources

    def deleted_midway(patient: Patient) -> Any:
        admin.delete(status_url)
        return real(patient)

    monkeypatch.setattr(bulk, "patient_resources", deleted_midway)
    run_worker()
    export = BulkExport.objects.get()
    assert export.completed_at is None
    assert export.deleted_at is not None
    assert not (exports_in / str(export.pk)).exists()
    assert admin.get(status_url).status_code == 404


def test_the_worker_writes_an_export_once(world: World) -> None:
    kick_off(world.client("admin"))
    export = BulkExport.objects.get()
    first = bulk.write(export.pk)
    assert first.completed_at is not None
    again = bulk.write(export.pk)
    assert again.completed_at == first.completed_at
    assert AccessLog.objects.filter(what=f"fhir bulk export {export.pk}: 2 patients").count() == 1


def test_since_exports_only_what_changed(world: World) -> None:
    """`_since` keeps what changed from that instant on (each resource's meta.lastUpdated);
    the patient-level kick-off answers the same way."""
    admin = world.client("admin")
    Patient.objects.filter(pk=world.patient.pk).update(
        updated_at=timezone.now() - timedelta(days=30)
    )
    since = (timezone.now() - timedelta(days=7)).isoformat()
    query = "?_type=Patient&_since=" + since.replace("+", "%2B")
    started = admin.get(f"/fhir/Patient/$export{query}", headers={"Prefer": "respond-async"})
    assert started.status_code == 202
    run_worker()
    manifest = json.loads(admin.get(started["Content-Location"]).content)
    [patients] = manifest["output"]
    assert patients["count"] == 1  # the other of clinic A's two patients changed this week
    lines = b"".join(admin.get(patients["url"]).streaming_content).splitlines()
    assert json.loads(lines[0])["id"] == str(world.own_patient.pk)
    assert json.loads(lines[0])["meta"]["lastUpdated"] >= since[:10]
    refused = admin.get("/fhir/$export?_since=yesterday", headers={"Prefer": "respond-async"})
    assert refused.status_code == 400
    assert "_since" in json.loads(refused.content)["issue"][0]["diagnostics"]
