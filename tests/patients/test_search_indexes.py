"""Patient search is served by its trigram indexes on PostgreSQL, which never queue entries
(migrations 0003 and 0004): a search costs the same just after a bulk load as after a vacuum.
"""

from __future__ import annotations

import pytest
from django.db import connection

from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.search import search_patients

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]
TRIGRAM_INDEXES = {"patient_family_name_trgm", "patient_given_name_trgm"}


def test_the_trigram_indexes_update_directly_with_no_pending_list() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [list(TRIGRAM_INDEXES)],
        )
        options = dict(cursor.fetchall())
    assert options == {name: ["fastupdate=off"] for name in TRIGRAM_INDEXES}


def test_a_name_search_can_use_the_trigram_indexes() -> None:
    """The search's expressions are the indexed ones: change one and this fails."""
    query = search_patients(Patient.objects.all(), "chen")[:51]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:  # a table this small would be read whole: forbid it
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert all(name in plan for name in TRIGRAM_INDEXES), plan
