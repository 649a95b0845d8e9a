"""Patient search is served on PostgreSQL by one trigram index that leads with the clinic
and never queues entries (migrations 0003 and 0004): a search reads its own clinic's names,
and costs the same just after a bulk load as after a vacuum.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db import connection
from django.db.models import QuerySet

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.demo import names as synth_names
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.queries import search_patients

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]
INDEX = "patient_clinic_names_trgm"


@pytest.fixture
def clinics() -> list[Clinic]:
    """Three clinics of a thousand patients each, with names as varied as a clinic's, and
    the planner's statistics on them: what the planner weighs when it picks an index."""
    made = [Clinic.objects.create(name=f"Index Clinic {n}") for n in range(3)]
    names = synth_names.surnames(random.Random(3), 3_000)  # noqa: S311
    Patient.objects.bulk_create(
        Patient(clinic=made[i % 3], mrn=f"I{i:05d}", given_name="Synthetic", family_name=name,
                birth_date=date(1980, 1, 1), sex="female")
        for i, name in enumerate(names)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
    return made


def _plan(patients: QuerySet[Patient]) -> str:
    query = search_patients(patients, "chen")[:51]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:  # a table this small would be read whole: forbid it
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_name_index_updates_directly_with_no_pending_list() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'patient%%trgm'"
        )
        assert dict(cursor.fetchall()) == {INDEX: ["fastupdate=off"]}  # the old ones are gone


def test_a_clinic_s_name_search_reads_the_index_by_clinic(clinics: list[Clinic]) -> None:
    """The search's expressions are the indexed ones: change one and this fails."""
    plan = _plan(Patient.objects.filter(clinic=clinics[0]))
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert INDEX in plan, plan
    assert any("clinic_id" in c and "family_name" in c for c in conditions), plan
    assert any("clinic_id" in c and "given_name" in c for c in conditions), plan


def test_a_search_across_clinics_still_reads_the_index(clinics: list[Clinic]) -> None:
    assert INDEX in _plan(Patient.objects.all())
