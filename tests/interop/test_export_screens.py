"""The owner exports from screens: a patient's FHIR record read before it is downloaded, the
whole clinic as FHIR Bulk Data with its files, and the research extract with its dictionary.
Each is refused to those who may not, and to other clinics."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ketamine_clinic.accounts.models import AccessLog, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.interop.fhir.readable import describe
from ketamine_clinic.interop.models import BulkExport
from tests.conftest import World
from tests.factories.outcomes import phq9
from tests.factories.worker import run_worker

EXPORTS = "/exports/"


@pytest.fixture(autouse=True)
def exports_in(tmp_path: Path, settings: Any) -> Path:
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def test_a_patient_s_fhir_record_is_read_then_downloaded(world: World) -> None:
    phq9(world, world.patient, 3, 14)
    url = f"/patients/{world.patient.pk}/fhir/"
    chart = world.client("prescriber").get(f"/patients/{world.patient.pk}/").content.decode()
    assert f'href="{url}"' in chart
    page = world.client("prescriber").get(url).content.decode()
    assert "Patient: 1" in page
    assert "Questionnaire answers: 1" in page
    assert '<td>Patient</td><td class="text-nowrap">—</td><td>James Walker</td>' in page
    assert f'href="/fhir/Patient/{world.patient.pk}/$everything"' in page
    bundle = world.client("prescriber").get(f"/fhir/Patient/{world.patient.pk}/$everything")
    assert bundle.status_code == 200
    assert json.loads(bundle.content)["resourceType"] == "Bundle"
    assert AccessLog.objects.filter(what="fhir summary", patient_id=world.patient.pk).exists()
    assert world.client("front_desk").get(url).status_code == 403
    assert world.client("other_clinic_nurse").get(url).status_code == 404
    assert world.client("patient").get(url).status_code in (403, 404)


def test_a_record_reads_as_words_with_its_time_in_the_screens_format() -> None:
    weight = {
        "coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}]
    }
    line = describe(
        {
            "resourceType": "Observation",
            "id": "1",
            "code": weight,
            "effectiveDateTime": "2026-02-03",
            "valueQuantity": {"value": 72, "unit": "kg"},
        }
    )
    assert (line.kind, line.what, line.shown) == ("Observation", "Body weight: 72 kg", "3 Feb 2026")


@pytest.mark.django_db(transaction=True)  # the worker commits (see test_bulk_export)
def test_the_whole_clinic_exported_from_the_screen(world: World, exports_in: Path) -> None:
    admin = world.client("admin")
    page = admin.get(EXPORTS).content.decode()
    assert 'data-busy="Starting the export' in page
    assert "<code>study_id</code>" in page  # the data dictionary is on the page
    assert 'hx-trigger="every 2s"' not in page  # nothing to watch yet
    started = admin.post(EXPORTS, {"step": "bulk"}, follow=True).content.decode()
    assert "Export started: 2 patients to write." in started
    export = BulkExport.objects.get()
    assert export.clinic == world.clinic
    assert f'data-export="{export.pk}"' in started
    assert "waiting for the background worker" in started
    assert 'hx-get="/exports/bulk/" hx-trigger="every 2s"' in started  # it watches itself
    run_worker()
    done = admin.get("/exports/bulk/").content.decode()
    assert 'hx-trigger="every 2s"' not in done  # finished: it stops fetching
    assert "ready" in done
    assert f'href="/fhir/$export-file/{export.pk}/Patient.ndjson"' in done
    patients = admin.get(f"/fhir/$export-file/{export.pk}/Patient.ndjson")
    assert len(b"".join(patients.streaming_content).splitlines()) == 2
    # Another clinic cannot delete it; its admin can, and the record of it stays.
    assert world.client("other_clinic_nurse").get(EXPORTS).status_code == 403
    outsider = User.objects.create_user("other_admin", password="x" * 16)
    Membership.objects.create(user=outsider, clinic=world.other_clinic, role=Role.ADMIN)
    other = Client()
    other.force_login(outsider)
    assert str(export.pk) not in other.get("/exports/bulk/").content.decode()
    assert other.post(EXPORTS, {"step": "delete", "export": str(export.pk)}).status_code == 404
    admin.post(EXPORTS, {"step": "delete", "export": str(export.pk)})
    export.refresh_from_db()
    assert export.deleted_at is not None
    assert not (exports_in / str(export.pk)).exists()
    assert "files deleted" in admin.get(EXPORTS).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_written_export_shows_how_far_it_is(world: World) -> None:
    admin = world.client("admin")
    admin.post(EXPORTS, {"step": "bulk"})
    BulkExport.objects.update(started_at=timezone.now(), patients=1)
    rows = admin.get("/exports/bulk/").content.decode()
    assert '<progress class="d-block w-100 mt-1" value="50" max="100"' in rows
    assert "1 of 2 patients written (50%)" in rows
    assert ">Cancel</button>" in rows
    cancelled = admin.post(
        EXPORTS, {"step": "delete", "export": str(BulkExport.objects.get().pk)}, follow=True
    ).content.decode()
    assert "The export is cancelled." in cancelled
    run_worker()  # the queued task finds it deleted and writes nothing
    assert BulkExport.objects.get().completed_at is None


def test_only_those_who_export_data_see_the_screen(world: World) -> None:
    for persona in ("prescriber", "nurse", "front_desk", "patient"):
        assert world.client(persona).get(EXPORTS).status_code == 403, persona
        assert world.client(persona).get("/exports/bulk/").status_code == 403, persona
        assert world.client(persona).post(EXPORTS, {"step": "bulk"}).status_code == 403, persona
    assert not BulkExport.objects.exists()


def test_the_research_extract_downloads_from_the_screen(world: World) -> None:
    admin = world.client("admin")
    assert 'href="/api/v1/research-export?format=csv"' in admin.get(EXPORTS).content.decode()
    response = admin.get("/api/v1/research-export?format=csv")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "data_dictionary.csv" in names


def test_a_malformed_export_id_is_no_export(world: World) -> None:
    admin = world.client("admin")
    assert admin.post(EXPORTS, {"step": "delete", "export": "nope"}).status_code == 404
    assert admin.post(EXPORTS, {"step": "delete"}).status_code == 404
