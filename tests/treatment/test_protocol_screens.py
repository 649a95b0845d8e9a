"""Protocol screens: everyone clinical sees the library and the clinic's copies; prescribers
copy, adjust and retire; the order form offers the clinic's copies."""

from __future__ import annotations

import pytest

from ketamine_clinic.treatment.models import ClinicProtocol
from tests.conftest import World

FORM = {
    "key": "iv-slow",
    "name": "IV over 50 minutes",
    "reason": "Fewer blood pressure peaks with a slower infusion here",
    "min_mg_per_kg": "0.25",
    "default_mg_per_kg": "0.5",
    "max_mg_per_kg": "0.75",
    "min_duration_min": "45",
    "default_duration_min": "50",
    "max_duration_min": "60",
    "phase0_sessions": "6",
    "phase0_per_week": "2",
    "phase0_min_hours_apart": "72",
    "phase1_sessions": "4",
    "phase1_per_week": "1",
    "phase1_min_hours_apart": "120",
    "phase2_sessions": "4",
    "phase2_per_week": "1",
    "phase2_min_hours_apart": "288",
    "phase3_per_week": "1",
    "phase3_min_hours_apart": "120",
}
COPY_URL = "/protocols/copy/?base=iv-racemic-standard"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 200), ("nurse", 200), ("admin", 200), ("front_desk", 403), ("patient", 403)],
)
def test_who_sees_the_protocols_page(world: World, persona: str, status: int) -> None:
    assert world.client(persona).get("/protocols/").status_code == status


@pytest.mark.parametrize("persona", ["nurse", "admin", "front_desk", "patient"])
def test_only_prescribers_copy(world: World, persona: str) -> None:
    client = world.client(persona)
    assert client.get(COPY_URL).status_code == 403
    assert client.post(COPY_URL, FORM).status_code == 403
    assert not ClinicProtocol.objects.exists()


def test_copy_adjust_retire(world: World) -> None:
    client = world.client("prescriber")
    assert "Copy and adjust" in client.get("/protocols/").content.decode()
    saved = client.post(COPY_URL, FORM)
    assert saved.status_code == 302, saved.content.decode()
    row = ClinicProtocol.objects.get()
    assert row.changes["default_duration_min"] == "50"
    assert row.changes["phases"][0] == {
        "name": "induction",
        "sessions": 6,
        "per_week": 2,
        "min_hours_apart": 72,
    }
    listing = client.get("/protocols/").content.decode()
    assert 'data-protocol="iv-slow"' in listing
    order_form = client.get(f"/patients/{world.patient.pk}/courses/new/").content.decode()
    assert "IV over 50 minutes (clinic v1)" in order_form

    adjust = client.get("/protocols/iv-slow/adjust/")
    assert adjust.status_code == 200
    wider = client.post(
        "/protocols/iv-slow/adjust/", {**FORM, "max_mg_per_kg": "1.25", "version": "1"}
    )
    assert "Ensure this value is less than or equal to 1.0" in wider.content.decode()
    again = client.post(
        "/protocols/iv-slow/adjust/", {**FORM, "max_mg_per_kg": "0.6", "version": "1"}
    )
    assert again.status_code == 302
    stale = client.post("/protocols/iv-slow/adjust/", {**FORM, "version": "1"})
    assert "someone changed it" in stale.content.decode()
    assert ClinicProtocol.objects.count() == 2

    retired = client.post(
        "/protocols/iv-slow/retire/",
        {"version": "2", "reason": "replaced by the library"},
        follow=True,
    )
    assert "retired" in retired.content.decode()
    assert 'data-protocol="iv-slow"' not in client.get("/protocols/").content.decode()
    assert client.get("/protocols/iv-slow/adjust/").status_code == 404


def test_the_copy_form_names_the_field_outside_the_library(world: World) -> None:
    client = world.client("prescriber")
    response = client.post(COPY_URL, {**FORM, "phase0_min_hours_apart": "300"})
    # 2 a week, 300 hours apart, cannot fit in a week: the phase field says so.
    assert "cannot be 300 hours apart" in response.content.decode()
    assert not ClinicProtocol.objects.exists()
    assert client.get("/protocols/copy/?base=nothing").status_code == 404


def test_other_clinics_copies_are_not_shown(world: World) -> None:
    world.client("prescriber").post(COPY_URL, FORM)
    page = world.client("other_clinic_nurse").get("/protocols/").content.decode()
    assert "iv-slow" not in page
    assert world.client("other_clinic_nurse").get("/protocols/iv-slow/adjust/").status_code == 403


@pytest.mark.parametrize(
    ("value", "shown"), [("0.500", "0.5"), ("1.000", "1"), ("10", "10"), ("0.125", "0.125")]
)
def test_doses_are_written_without_trailing_zeros(value: str, shown: str) -> None:
    from decimal import Decimal

    from ketamine_clinic.common.formats import dose

    assert dose(Decimal(value)) == shown
    assert dose(None) == ""
