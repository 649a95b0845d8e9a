"""`ketamine-clinic fhir-export` and `fhir-import`: the same exports and imports from the
command line, as a clinic admin, with clear refusals."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketamine_clinic.patients.models import Patient
from tests.conftest import World


@pytest.fixture(autouse=True)
def exports_in(tmp_path: Path, settings: Any) -> None:
    settings.EXPORT_DIR = tmp_path / "exports"


def test_export_to_a_folder_and_import_it_back(world: World, tmp_path: Path) -> None:
    out = StringIO()
    call_command("fhir_export", "Clinic A", "--as", "admin", "--out", str(tmp_path / "x"),
                 stdout=out)  # fmt: skip
    assert "Patient.ndjson: 2" in out.getvalue()
    lines = (tmp_path / "x" / "Patient.ndjson").read_text().splitlines()
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": json.loads(line)} for line in lines]}  # fmt: skip
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    world.users["other_clinic_nurse"].memberships.update(role="admin")
    imported = StringIO()
    call_command("fhir_import", "Clinic B", str(path), "--as", "other_clinic_nurse",
                 stdout=imported)  # fmt: skip
    assert "patients: 2 created" in imported.getvalue()
    assert Patient.objects.filter(clinic=world.other_clinic).count() == 3


def test_refusals(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not an admin"):
        call_command("fhir_export", "Clinic A", "--as", "nurse", "--out", str(tmp_path / "y"))
    with pytest.raises(CommandError, match="--types"):
        call_command("fhir_export", "Clinic A", "--as", "admin", "--out", str(tmp_path / "z"),
                     "--types", "Nonsense")  # fmt: skip
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {"resource": {"resourceType": "Patient", "id": "p", "name": [{"family": "X"}]}}
                ],
            }
        )
    )
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("fhir_import", "Clinic A", str(bad), "--as", "admin")
    (tmp_path / "junk.json").write_text("{")
    with pytest.raises(CommandError, match="cannot read it"):
        call_command("fhir_import", "Clinic A", str(tmp_path / "junk.json"), "--as", "admin")
