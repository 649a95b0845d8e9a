"""On PostgreSQL the app's queries are prepared once per connection and reused
(KC_DB_PREPARE, on by default), so the database does not parse and plan each one anew."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from ketamine_clinic.accounts.models import Clinic

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _prepared() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return int(cursor.fetchone()[0])


def test_a_query_run_often_is_prepared_once_and_gives_the_same_answers() -> None:
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    clinic = Clinic.objects.create(name="Prepared Clinic")
    before = _prepared()
    for _ in range(8):  # the fifth run prepares it; the rest reuse the prepared statement
        assert Clinic.objects.get(pk=clinic.pk).name == "Prepared Clinic"
    assert _prepared() > before
    other = Clinic.objects.create(name="Another")
    assert Clinic.objects.get(pk=other.pk).name == "Another"  # new parameters, same statement
