"""The access log: every read and write of patient data, append-only, visible to admins."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from ketamine_clinic.accounts.models import AccessLog, AppendOnlyError
from ketamine_clinic.patients.models import Patient
from tests.conftest import World


def test_reads_and_writes_are_logged_with_who_what_where(world: World) -> None:
    AccessLog.objects.all()  # reading the log is fine
    client = world.client("nurse")
    client.get(f"/patients/{world.patient.pk}/", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="tablet")
    row = AccessLog.objects.filter(action="read").first()
    assert row is not None
    assert (row.username, row.role, row.clinic_id, row.patient_id) == (
        "nurse",
        "nurse",
        world.clinic.pk,
        world.patient.pk,
    )
    assert (row.what, row.ip_address, row.user_agent, row.via) == (
        "patient.chart",
        "192.0.2.10",
        "tablet",
        "web",
    )
    world.api("prescriber").patch(f"/patients/{world.patient.pk}", {"version": 1, "phone": "5"})
    row = AccessLog.objects.filter(action="update").first()
    assert row is not None
    assert (row.username, row.role, row.via, row.what) == (
        "prescriber",
        "prescriber",
        "api",
        "patient",
    )


def test_log_rows_cannot_be_changed_or_deleted_through_the_app(world: World) -> None:
    row = AccessLog.objects.first()
    assert row is not None
    row.what = "tampered"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).update(what="tampered")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()


def test_the_database_refuses_updates_to_log_and_history(world: World) -> None:
    for table in ("accounts_accesslog", "patients_historicalpatient"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET id = id")  # fixed table names
    assert Patient.history.count() == 3


def test_the_database_refuses_deletes_on_postgresql(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE for test isolation; the ORM refuses it (test above)")
    for table in ("accounts_accesslog", "patients_historicalpatient"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # fixed table names


def test_admin_browses_and_filters_own_clinic_log(world: World) -> None:
    world.client("nurse").get(f"/patients/{world.patient.pk}/")
    world.api("other_clinic_nurse").get(f"/patients/{world.other_patient.pk}")
    client = world.client("admin")
    page = client.get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "patient.chart" in html
    assert "other_clinic_nurse" not in html  # clinic B's entries stay in clinic B
    filtered = client.get("/audit/", {"username": "nurse", "action": "read"}).content.decode()
    assert "patient.chart" in filtered
    assert "front_desk" not in filtered
    by_patient = client.get("/audit/", {"patient": str(world.other_patient.pk)}).content.decode()
    assert "No entries match" in by_patient


@pytest.mark.parametrize(
    "persona", ["prescriber", "nurse", "front_desk", "patient", "other_clinic_nurse"]
)
def test_only_admins_see_the_audit_log(world: World, persona: str) -> None:
    assert world.client(persona).get("/audit/").status_code == 403


def test_audit_log_needs_login(world: World) -> None:
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_audit_log_has_no_way_to_change_entries(world: World) -> None:
    assert world.client("admin").post("/audit/", {"what": "x"}).status_code == 405


def test_behind_a_proxy_the_log_records_the_client_address(world: World, settings: object) -> None:
    client = world.client("nurse")
    chart = f"/patients/{world.patient.pk}/"
    # Without a configured proxy, a client's own X-Forwarded-For is ignored.
    client.get(chart, REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    settings.KC_PROXY_COUNT = 1  # type: ignore[attr-defined]
    # Behind one proxy, the entry it appended is the client; what the client sent is not.
    client.get(chart, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99, 203.0.113.7")
    rows = AccessLog.objects.filter(action="read").order_by("at", "id")
    assert [r.ip_address for r in rows] == ["198.51.100.1", "203.0.113.7"]


def test_logins_and_api_lists_appear_in_each_clinics_log(world: World) -> None:
    from ketamine_clinic.accounts.models import Membership

    Membership.objects.create(user=world.users["nurse"], clinic=world.other_clinic, role="nurse")
    Client().post("/login/", {"username": "nurse", "password": "correct-horse-battery-staple"})
    world.api("nurse").get("/patients")
    for clinic in (world.clinic, world.other_clinic):
        actions = set(
            AccessLog.objects.filter(clinic=clinic, username="nurse").values_list(
                "action", flat=True
            )
        )
        assert actions == {"login", "list"}
