"""The de-identified research extract: a token planted in every free-text field of the
record and every identifier of every patient are absent from the extract; study ids and
offsets are stable; ages over 89 are grouped; CSV and Parquet carry the same rows; only
admins take it."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.apps import apps
from django.db import DatabaseError, models, transaction

from ketamine_clinic.accounts.models import User
from ketamine_clinic.demo.clinic import MAIN_CLINIC, seed
from ketamine_clinic.interop.models import ResearchId
from ketamine_clinic.interop.research_export import DICTIONARY
from ketamine_clinic.patients.models import Patient
from tests.conftest import ApiClient, World

TOKEN = "QZXJPLANT"
APPS = ("patients", "assessments", "evaluations", "treatment", "treatment_sessions")


def plant(token: str) -> list[str]:
    """Put the token into every free-text field (no choices) of every clinical record that
    can be updated; returns the fields planted."""
    planted = []
    for config in APPS:
        for model in apps.get_app_config(config).get_models():
            if model.__name__.startswith("Historical"):
                continue
            fields = [
                f for f in model._meta.get_fields()
                if isinstance(f, (models.CharField, models.TextField)) and not f.choices
                and not f.primary_key and f.name not in CODES
            ]  # fmt: skip
            refused = []
            for f in fields:
                try:
                    with transaction.atomic():
                        model._default_manager.update(**{f.name: token})
                    planted.append(f"{model.__name__}.{f.name}")
                except DatabaseError:  # append-only tables refuse UPDATE; unique fields clash
                    refused.append(f)
            original = model._default_manager.first()
            if refused and original is not None and hasattr(original, "corrects"):
                # An append-only entry: add a copy carrying the token instead.
                original.pk = None
                original.corrects = None
                for f in refused:
                    setattr(original, f.name, token)
                    planted.append(f"{model.__name__}.{f.name}")
                original.save(force_insert=True)
    return planted


# Coded values the extract carries on purpose (the data dictionary names them).
CODES = {
    *("icd10_code", "protocol_id", "product", "instrument_id", "route", "phase"),
    *("protocol_version", "instrument_version", "band_code", "scale", "action", "kind"),
}


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def admin(db: None) -> ApiClient:
    seed()
    return ApiClient(User.objects.get(username="admin"))


def test_nothing_identifying_leaves(admin: ApiClient) -> None:
    patients = list(Patient.objects.filter(clinic__name=MAIN_CLINIC))
    identifiers = {p.family_name for p in patients} | {p.mrn for p in patients} | {
        p.birth_date.isoformat() for p in patients} | {p.phone for p in patients if p.phone} | {
        p.email for p in patients if p.email}  # fmt: skip
    planted = plant(TOKEN)
    assert "Patient.address" in planted
    assert "TreatmentSession.discharge_note" in planted
    assert "Diagnosis.text" in planted
    assert "AdverseEvent.action_taken" in planted  # append-only: planted in a new entry
    files = unzip(admin.get("/research-export").content)
    text = b"\n".join(files.values()).decode()
    assert TOKEN not in text
    leaked = sorted(i for i in identifiers if len(i) >= 4 and i in text)
    assert leaked == []
    assert set(files) == {f"{t}.csv" for t in DICTIONARY} | {"data_dictionary.csv", "README.txt"}
    for table, columns in DICTIONARY.items():
        header = files[f"{table}.csv"].decode().splitlines()[0]
        assert header.split(",") == list(columns)  # only the documented columns


def test_study_ids_are_stable_and_dates_shifted(admin: ApiClient) -> None:
    first = unzip(admin.get("/research-export").content)
    again = unzip(admin.get("/research-export").content)
    assert first["patients.csv"] == again["patients.csv"]
    rows = list(csv.DictReader(io.StringIO(first["courses.csv"].decode())))
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    mapping = ResearchId.objects.get(patient=chen)
    course = next(r for r in rows if r["study_id"] == mapping.study_id)
    real = chen.course_set.first().start_on  # type: ignore[attr-defined]
    assert course["start_date"] != real.isoformat()
    assert (date.fromisoformat(course["start_date"]) - real).days == mapping.date_offset_days


def test_parquet_has_the_same_rows(admin: ApiClient) -> None:
    as_csv = unzip(admin.get("/research-export").content)
    as_parquet = unzip(admin.get("/research-export", data={"format": "parquet"}).content)
    for table in DICTIONARY:
        rows = list(csv.DictReader(io.StringIO(as_csv[f"{table}.csv"].decode())))
        parquet = pq.read_table(io.BytesIO(as_parquet[f"{table}.parquet"]))
        assert parquet.num_rows == len(rows)
        assert parquet.column_names == list(DICTIONARY[table])


def test_ages_over_89_are_grouped(world: World) -> None:
    Patient.objects.filter(pk=world.patient.pk).update(birth_date=date(1920, 5, 1))
    files = unzip(world.api("admin").get("/research-export").content)
    ages = {r["age_at_first_course"] for r in csv.DictReader(
        io.StringIO(files["patients.csv"].decode()))}  # fmt: skip
    assert "90+" in ages
    assert not any(a.isdigit() and int(a) > 89 for a in ages)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("prescriber", 403), ("nurse", 403), ("front_desk", 403),
     ("patient", 403), (None, 401)],
)  # fmt: skip
def test_who_takes_the_extract(world: World, persona: str | None, status: int) -> None:
    response: Any = world.api(persona).get("/research-export")
    assert response.status_code == status
