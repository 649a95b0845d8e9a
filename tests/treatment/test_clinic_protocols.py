"""A clinic's own protocols: copied from the library, adjusted within it, versioned, retired;
courses keep the version they were ordered under."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.treatment.models import ClinicProtocol
from tests.conftest import World
from tests.factories.courses import COURSE, next_monday

INDUCTION = "induction"
TWICE_WEEKLY = {
    "phases": [
        {"name": INDUCTION, "sessions": 8, "per_week": 2, "min_hours_apart": 72},
        {"name": "maintenance weekly"},
        {"name": "maintenance every 2 weeks"},
        {"name": "maintenance as needed"},
    ],
    "max_mg_per_kg": "0.75",
}
COPY = {
    "base": "iv-racemic-standard",
    "key": "iv-twice-weekly",
    "name": "IV twice weekly, up to 0.75 mg/kg",
    "changes": TWICE_WEEKLY,
    "reason": "Our medical director's standing protocol, March review",
}


def copy(world: World, persona: str = "prescriber", **change: Any) -> Any:
    return world.api(persona).post("/protocols", {**COPY, **change})


def test_a_prescriber_copies_a_protocol_and_the_clinic_sees_it(world: World) -> None:
    response = copy(world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == "iv-twice-weekly"
    assert body["version"] == "1"
    assert body["clinic"] == str(world.clinic.pk)
    assert body["based_on"] == "iv-racemic-standard v1"
    assert body["max_mg_per_kg"] == "0.75"
    assert body["ceiling_mg_per_kg"] == "1.5"
    assert body["phases"][0] == {
        "name": INDUCTION,
        "sessions": 8,
        "per_week": 2,
        "min_hours_apart": 72,
    }
    nurse_sees = [p["id"] for p in world.api("nurse").get("/protocols").json()]
    assert "iv-twice-weekly" in nurse_sees
    assert "iv-racemic-standard" in nurse_sees
    other_sees = [p["id"] for p in world.api("other_clinic_nurse").get("/protocols").json()]
    assert "iv-twice-weekly" not in other_sees
    assert AccessLog.objects.filter(what="protocol.copy iv-twice-weekly").count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 401),
        ("admin", 403),
        ("nurse", 403),
        ("front_desk", 403),
        ("patient", 403),
        ("other_clinic_nurse", 403),
        ("prescriber", 201),
    ],
)
def test_only_prescribers_adjust_protocols(world: World, persona: str | None, status: int) -> None:
    assert copy(world, persona).status_code == status  # type: ignore[arg-type]
    assert ClinicProtocol.objects.exists() == (status == 201)


def test_another_clinic_is_not_found(world: World) -> None:
    response = copy(world, clinic=str(world.other_clinic.pk))
    assert response.status_code == 404
    copy(world)
    api = world.api("other_clinic_nurse")
    assert api.get("/protocols/iv-twice-weekly/versions").status_code == 404
    assert api.get("/protocols", data={"clinic": str(world.clinic.pk)}).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"changes": {"max_mg_per_kg": "1.2"}}, "max_mg_per_kg", 422),
        ({"changes": {"phases": [{"name": INDUCTION, "per_week": 5}]}}, "phases", 422),
        ({"key": "iv-racemic-standard"}, "key", 422),
        ({"key": "Bad Key"}, "key", 422),
        ({"base": "ivy"}, "base", 422),
        ({"reason": "because"}, "reason", 422),
        ({"changes": {"doses_mg": [56]}}, "doses_mg", 422),
    ],
)
def test_adjustments_outside_the_library_are_refused(
    world: World, change: dict[str, Any], field: str, status: int
) -> None:
    response = copy(world, **change)
    assert response.status_code == status, response.content
    assert field in str(response.json()["detail"])
    assert not ClinicProtocol.objects.exists()


def test_the_same_key_twice_conflicts(world: World) -> None:
    copy(world)
    assert copy(world).status_code == 409


def test_revisions_are_versions_and_stale_ones_conflict(world: World) -> None:
    copy(world)
    api = world.api("prescriber")
    v2 = api.post(
        "/protocols/iv-twice-weekly/versions",
        {"version": 1, "changes": {"max_mg_per_kg": "0.6"}, "reason": "lower ceiling after audit"},
    )
    assert v2.status_code == 201, v2.content
    assert v2.json()["version"] == "2"
    assert v2.json()["max_mg_per_kg"] == "0.6"
    # The phases were not given again: a revision replaces the changes, so v2 is weekly thrice.
    assert v2.json()["phases"][0]["per_week"] == 3
    stale = api.post(
        "/protocols/iv-twice-weekly/versions",
        {"version": 1, "changes": {}, "reason": "a second editor, late"},
    )
    assert stale.status_code == 409
    assert "version 2" in stale.json()["detail"]
    history = api.get("/protocols/iv-twice-weekly/versions").json()
    assert [v["version"] for v in history] == [2, 1]
    assert history[1]["changes"]["max_mg_per_kg"] == "0.75"
    assert history[0]["reason"] == "lower ceiling after audit"


def test_a_course_keeps_the_version_it_was_ordered_under(world: World) -> None:
    copy(world)
    api = world.api("prescriber")
    ordered = api.post(
        f"/patients/{world.patient.pk}/courses",
        {
            **COURSE,
            **world.infusion(),
            "protocol": "iv-twice-weekly",
            "start_on": next_monday().isoformat(),
        },
    )
    assert ordered.status_code == 201, ordered.content
    course = ordered.json()
    assert course["protocol"] == "iv-twice-weekly"
    assert course["protocol_version"] == "1"
    dates = [date.fromisoformat(s["on"]) for s in course["schedule"]]
    assert len(dates) == 8
    assert all((b - a).days >= 3 for a, b in itertools.pairwise(dates))
    api.post(
        "/protocols/iv-twice-weekly/versions",
        {"version": 1, "changes": {"max_mg_per_kg": "0.5"}, "reason": "lower ceiling after audit"},
    )
    # A dose change on this course is checked against version 1 (max 0.75), not version 2.
    change = api.post(
        f"/courses/{course['id']}/orders",
        {"dose_mg_per_kg": "0.7", **world.infusion()},
    )
    assert change.status_code == 201
    assert change.json()["calculation"]["accepted"] is True
    # A new calculation uses the current version, where 0.7 is above the maximum.
    calc = api.post(
        "/dosing/calculate",
        {
            "protocol": "iv-twice-weekly",
            "patient": str(world.patient.pk),
            "dose_mg_per_kg": "0.7",
        },
    ).json()
    assert calc["accepted"] is False
    assert "maximum of 0.5" in calc["needs_override"][0]


def test_a_retired_protocol_takes_no_new_courses(world: World) -> None:
    copy(world)
    api = world.api("prescriber")
    course = api.post(
        f"/patients/{world.patient.pk}/courses",
        {
            **COURSE,
            **world.infusion(),
            "protocol": "iv-twice-weekly",
            "start_on": next_monday().isoformat(),
        },
    ).json()
    retired = api.post(
        "/protocols/iv-twice-weekly/retire", {"version": 1, "reason": "replaced by a new one"}
    )
    assert retired.status_code == 200
    assert retired.json()["retired"] is True
    again = api.post(
        f"/patients/{world.patient.pk}/courses",
        {
            **COURSE,
            **world.infusion(),
            "protocol": "iv-twice-weekly",
            "start_on": next_monday().isoformat(),
        },
    )
    assert again.status_code == 422
    assert "retired" in str(again.json()["detail"])
    assert "iv-twice-weekly" not in [p["id"] for p in api.get("/protocols").json()]
    assert api.get(f"/courses/{course['id']}").status_code == 200
    assert (
        api.post(
            "/protocols/iv-twice-weekly/versions",
            {"version": 2, "changes": {}, "reason": "bring it back please"},
        ).status_code
        == 409
    )


def test_calculating_without_a_patient_uses_the_clinics_protocols(world: World) -> None:
    copy(world)
    body = {"protocol": "iv-twice-weekly", "weight_kg": "70", "weight_measured_on": "2026-01-01"}
    assert world.api("prescriber").post("/dosing/calculate", body).status_code == 200
    other = world.api("other_clinic_nurse").post("/dosing/calculate", body)
    assert other.status_code == 422
    assert "unknown protocol" in str(other.json()["detail"])


def test_protocol_versions_cannot_be_changed_in_the_database(world: World) -> None:
    copy(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE treatment_clinicprotocol SET name = 'tampered'")


def test_a_clinic_doses_heavy_patients_on_adjusted_weight(world: World) -> None:
    from ketamine_clinic.patients.models import BodyMeasurement

    changes = {"dosing_weight": "adjusted", "max_mg_per_session": "100", "weight_max_age_days": 14}
    response = copy(world, key="iv-adjusted", changes=changes)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["dosing_weight"], body["max_mg_per_session"]) == ("adjusted", "100")
    assert body["max_mg_per_kg_per_min"] == "0.0375"
    assert copy(world, key="iv-more", changes={"max_mg_per_session": "200"}).status_code == 422
    BodyMeasurement.objects.filter(patient=world.patient, kind="weight_kg").update(value=140)
    BodyMeasurement.objects.filter(patient=world.patient, kind="height_cm").update(value=180)
    answer = (
        world.api("prescriber")
        .post(
            "/dosing/calculate",
            {
                "protocol": "iv-adjusted",
                "patient": str(world.patient.pk),
                "dose_mg_per_kg": "0.5",
                **world.infusion(final_volume_ml="100"),
            },
        )
        .json()
    )
    assert answer["dosing_weight_kg"] == "101.0"  # Devine 75.0 + 0.4 x 65.0, not 140
    assert answer["dose_mg"] == "50.5"
    assert "adjusted body weight" in answer["dosing_weight"]["why"]
    page = world.client("prescriber").get("/protocols/").content.decode()
    assert "Dosed on adjusted body weight" in page
