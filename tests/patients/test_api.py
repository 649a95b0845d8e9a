"""Patients over the API: registration, validation, versioned edits, entered in error."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from ketamine_clinic.accounts.backends import BACKEND
from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.patients.models import BodyMeasurement, Patient
from tests.conftest import World

NEW = {
    "given_name": "Grace",
    "family_name": "Hughes",
    "birth_date": "1975-02-03",
    "sex": "female",
    "weight_kg": 64.5,
    "height_cm": 170,
}


def errors_by_field(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {str(e["loc"][-1]): e["msg"] for e in response.json()["detail"]}


def test_register_patient_returns_created_record_with_measurements(world: World) -> None:
    response = world.api("front_desk").post("/patients", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["given_name"] == "Grace"
    assert body["weight_kg"] == "64.50"
    assert body["height_cm"] == "170.00"
    assert body["version"] == 1
    assert body["clinic"] == str(world.clinic.pk)
    assert body["mrn"].isdigit()
    patient = Patient.objects.get(pk=body["id"])
    assert BodyMeasurement.objects.filter(patient=patient).count() == 2
    assert AccessLog.objects.filter(patient_id=patient.pk, action="create").count() == 1


def test_mrns_are_assigned_in_sequence_and_unique_per_clinic(world: World) -> None:
    api = world.api("front_desk")
    first = api.post("/patients", NEW).json()["mrn"]
    second = api.post("/patients", {**NEW, "given_name": "Zoe"}).json()["mrn"]
    assert int(second) == int(first) + 1
    clash = api.post("/patients", {**NEW, "given_name": "Ryan", "mrn": first})
    assert errors_by_field(clash) == {"mrn": "is already used by another patient in this clinic"}
    # Another clinic may use the same number.
    other = world.api("other_clinic_nurse").post(
        "/patients", {**NEW, "given_name": "Ryan", "mrn": first}
    )
    assert other.status_code == 201


def test_same_name_and_birth_date_is_a_conflict_until_confirmed(world: World) -> None:
    api = world.api("front_desk")
    assert api.post("/patients", NEW).status_code == 201
    again = api.post("/patients", NEW)
    assert again.status_code == 409
    assert "same name and birth date" in again.json()["detail"]
    confirmed = api.post("/patients", {**NEW, "confirm_not_duplicate": True})
    assert confirmed.status_code == 201


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_kg", -70, "greater than or equal to 25"),
        ("weight_kg", 70000, "less than or equal to 350"),
        ("height_cm", 1.75, "greater than or equal to 100"),
        ("birth_date", "2999-01-01", "must not be in the future"),
        ("birth_date", "1850-01-01", "age over 125"),
        ("birth_date", "1980-02-30", "date"),
        ("sex", "F", "Input should be 'female', 'male', 'other' or 'unknown'"),
        ("given_name", "", "at least 1 character"),
        ("given_name", "   ", "at least 1 character"),
        ("given_name", "x" * 101, "at most 100 characters"),
        ("given_name", "Mei\x00Chen", "should match pattern"),
        ("family_name", "Chen\nDROP", "should match pattern"),
        ("email", "not-an-email", "email"),
        ("mrn", "has space", "should match pattern"),
        ("weight_kg", "NaN", "such as 35.5"),
    ],
)
def test_invalid_fields_get_422_naming_the_field(
    world: World, field: str, value: Any, message: str
) -> None:
    response = world.api("front_desk").post("/patients", {**NEW, field: value})
    errors = errors_by_field(response)
    assert field in errors
    assert message.lower() in errors[field].lower()
    assert not Patient.objects.filter(given_name="Grace").exists()


@pytest.mark.parametrize(
    "missing", ["given_name", "family_name", "birth_date", "sex", "weight_kg", "height_cm"]
)
def test_required_fields(world: World, missing: str) -> None:
    body = {k: v for k, v in NEW.items() if k != missing}
    errors = errors_by_field(world.api("front_desk").post("/patients", body))
    assert errors == {missing: "Field required"}


def test_a_ten_megabyte_name_is_a_422_not_a_crash(world: World) -> None:
    response = world.api("front_desk").post("/patients", {**NEW, "given_name": "x" * 10_000_000})
    assert "at most 100 characters" in errors_by_field(response)["given_name"]


def test_a_body_over_the_limit_is_413(world: World) -> None:
    response = world.api("front_desk").post("/patients", {**NEW, "address": "x" * 17_000_000})
    assert response.status_code == 413


def test_malformed_json_is_a_client_error(world: World) -> None:
    api = world.api("front_desk")
    response = api.client.post(
        "/api/v1/patients", data="{not json", content_type="application/json", headers=api.headers
    )
    assert 400 <= response.status_code < 500


def test_get_patient(world: World) -> None:
    response = world.api("nurse").get(f"/patients/{world.patient.pk}")
    assert response.status_code == 200
    assert response.json()["family_name"] == "Walker"
    assert AccessLog.objects.filter(patient_id=world.patient.pk, action="read").exists()


def test_patch_with_current_version_edits_and_bumps_version(world: World) -> None:
    api = world.api("front_desk")
    response = api.patch(f"/patients/{world.patient.pk}", {"version": 1, "phone": "+1 555 0101"})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["phone"] == "+1 555 0101"
    history = Patient.history.filter(id=world.patient.pk).order_by("history_date")
    assert [h.version for h in history] == [1, 2]
    assert history.last().history_user == world.users["front_desk"]


def test_patch_with_stale_version_is_409_and_changes_nothing(world: World) -> None:
    api = world.api("front_desk")
    assert (
        api.patch(f"/patients/{world.patient.pk}", {"version": 1, "phone": "1"}).status_code == 200
    )
    stale = api.patch(f"/patients/{world.patient.pk}", {"version": 1, "phone": "2"})
    assert stale.status_code == 409
    assert "version 2" in stale.json()["detail"]
    world.patient.refresh_from_db()
    assert world.patient.phone == "1"
    assert world.patient.version == 2


def test_patch_requires_version_and_refuses_null(world: World) -> None:
    api = world.api("front_desk")
    assert errors_by_field(api.patch(f"/patients/{world.patient.pk}", {"phone": "1"})) == {
        "version": "Field required"
    }
    errors = errors_by_field(
        api.patch(f"/patients/{world.patient.pk}", {"version": 1, "given_name": None})
    )
    assert "may not be null" in errors["given_name"]


def test_patient_cannot_be_deleted_only_marked_entered_in_error(world: World) -> None:
    api = world.api("front_desk")
    path = f"/patients/{world.patient.pk}"
    assert api.request("DELETE", path).status_code == 405
    short = api.post(f"{path}/entered-in-error", {"version": 1, "reason": "x"})
    assert "reason" in errors_by_field(short)
    marked = api.post(f"{path}/entered-in-error", {"version": 1, "reason": "duplicate of 100001"})
    assert marked.status_code == 200
    assert marked.json()["status"] == "entered_in_error"
    assert marked.json()["entered_in_error_reason"] == "duplicate of 100001"
    # Still there, still readable, out of the default list, and no longer editable.
    assert api.get(path).status_code == 200
    listed = [p["id"] for p in api.get("/patients").json()["items"]]
    assert str(world.patient.pk) not in listed
    with_errors = api.get("/patients?include_entered_in_error=true").json()["items"]
    assert str(world.patient.pk) in [p["id"] for p in with_errors]
    assert api.patch(path, {"version": 2, "phone": "1"}).status_code == 409
    assert (
        api.post(f"{path}/entered-in-error", {"version": 2, "reason": "again please"}).status_code
        == 409
    )
    with pytest.raises(RuntimeError):
        world.patient.delete()


def test_search_by_name_mrn_and_birth_date(world: World) -> None:
    api = world.api("front_desk")

    def names(query: str) -> list[str]:
        response = api.get("/patients", data={"q": query})
        assert response.status_code == 200
        return [p["family_name"] for p in response.json()["items"]]

    assert names("chen") == ["Chen"]
    assert names("mei chen") == ["Chen"]
    assert names(world.patient.mrn) == ["Walker"]
    assert names("1980-05-17") == ["Chen", "Walker"]
    assert names("1980-02-30") == []
    assert names("Haddad") == []  # clinic B's patient
    assert names("") == ["Chen", "Walker"]


def test_list_is_paginated(world: World) -> None:
    response = world.api("nurse").get("/patients", data={"limit": 1})
    body = response.json()
    assert body["count"] == 2
    assert len(body["items"]) == 1


def test_treatment_history_round_trip(world: World) -> None:
    api = world.api("prescriber")
    path = f"/patients/{world.patient.pk}/treatment-history"
    trial = {
        "kind": "antidepressant",
        "name": "Sertraline",
        "dose_mg_per_day": 150,
        "duration_weeks": 8,
        "adequate": True,
        "outcome": "no_response",
        "started_on": "2025-01-01",
        "ended_on": "2025-03-01",
    }
    created = api.post(path, trial)
    assert created.status_code == 201, created.content
    assert created.json()["dose_mg_per_day"] == "150.00"
    listed = api.get(path).json()
    assert [t["name"] for t in listed] == ["Sertraline"]
    record = f"{path}/{created.json()['id']}"
    edited = api.patch(record, {"version": 1, "outcome": "partial"})
    assert edited.json()["outcome"] == "partial"
    assert api.patch(record, {"version": 1, "outcome": "response"}).status_code == 409
    backwards = api.patch(record, {"version": 2, "ended_on": "2024-12-01"})
    assert errors_by_field(backwards) == {"ended_on": "must not be before started_on"}
    marked = api.post(f"{record}/entered-in-error", {"version": 2, "reason": "wrong patient"})
    assert marked.json()["status"] == "entered_in_error"


@pytest.mark.parametrize(
    ("segment", "body", "field"),
    [
        ("treatment-history", {"kind": "pill", "name": "x"}, "kind"),
        ("treatment-history", {"kind": "ect", "name": "x", "sessions": -1}, "sessions"),
        (
            "treatment-history",
            {"kind": "ect", "name": "x", "started_on": "2999-01-01"},
            "started_on",
        ),
        ("diagnoses", {"icd10_code": "depression", "text": "MDD"}, "icd10_code"),
        (
            "measurements",
            {"kind": "weight_kg", "value": 70, "measured_at": "2025-01-01T10:00:00"},
            "measured_at",
        ),
        (
            "measurements",
            {"kind": "bmi", "value": 20, "measured_at": "2025-01-01T10:00:00Z"},
            "kind",
        ),
        ("allergies", {"substance": "", "severity": "mild"}, "substance"),
        (
            "medications",
            {"name": "x", "started_on": "2025-02-01", "stopped_on": "2025-01-01"},
            "stopped_on",
        ),
    ],
)
def test_record_validation(world: World, segment: str, body: dict[str, Any], field: str) -> None:
    response = world.api("prescriber").post(f"/patients/{world.patient.pk}/{segment}", body)
    assert field in errors_by_field(response)


def test_new_weight_becomes_the_patients_weight(world: World) -> None:
    api = world.api("nurse")
    measured = datetime.now(UTC)  # after the registration measurement
    response = api.post(
        f"/patients/{world.patient.pk}/measurements",
        {"kind": "weight_kg", "value": 72.4, "measured_at": measured.isoformat()},
    )
    assert response.status_code == 201
    assert api.get(f"/patients/{world.patient.pk}").json()["weight_kg"] == "72.40"
    # Marking it in error falls back to the earlier measurement.
    record = response.json()["id"]
    api.post(
        f"/patients/{world.patient.pk}/measurements/{record}/entered-in-error",
        {"version": 1, "reason": "scale not zeroed"},
    )
    assert api.get(f"/patients/{world.patient.pk}").json()["weight_kg"] == "70.00"


def test_multi_clinic_user_must_name_the_clinic(world: World) -> None:
    from ketamine_clinic.accounts.models import Membership

    nurse = world.users["nurse"]
    Membership.objects.create(user=nurse, clinic=world.other_clinic, role="nurse")
    api = world.api("nurse")
    assert errors_by_field(api.post("/patients", NEW)) == {
        "clinic": "required, because you work in more than one clinic"
    }
    response = api.post("/patients", {**NEW, "clinic": str(world.other_clinic.pk)})
    assert response.status_code == 201
    assert response.json()["clinic"] == str(world.other_clinic.pk)


def test_session_api_needs_csrf_for_writes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["front_desk"], backend=BACKEND)
    assert client.get("/api/v1/patients").status_code == 200
    response = client.post("/api/v1/patients", data=NEW, content_type="application/json")
    assert response.status_code == 403


def test_birth_date_today_is_accepted(world: World) -> None:
    today = datetime.now(UTC).date()
    response = world.api("front_desk").post(
        "/patients", {**NEW, "birth_date": today.isoformat(), "given_name": "Newborn"}
    )
    assert response.status_code == 201
    assert date.fromisoformat(response.json()["birth_date"]) == today
