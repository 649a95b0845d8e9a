"""The REMS Patient Monitoring Form: filled from the session, complete before the record is
signed, printable, and due within 7 days until its submission is recorded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ketamine_clinic.clinical.rems_form import deadline_status, due_on
from ketamine_clinic.treatment_sessions.models import TreatmentSession
from tests.conftest import World
from tests.factories.chair import Chair, start
from tests.factories.session import esketamine_session


def test_the_form_is_filled_from_the_session(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    body = chair.api.get(f"/sessions/{chair.id}/rems-form").json()
    form = body["form"]
    assert form["patient_last_name"] == "Walker"
    assert form["first_treatment"] is True
    assert form["enrolled"] is True
    assert form["enrolment_id"] == "REMS-0001"
    assert form["dose_mg"] == 56
    assert form["lot_numbers"] == ["LOT-A1"]
    assert form["minutes_first_device_to_end_of_monitoring"] == 121
    assert form["ready_without_rule_min"] == 75
    assert (form["bp_before"], form["bp_at_40_min"], form["bp_before_leaving"]) == (
        "128/82",
        "138/86",
        "128/82",
    )
    assert form["vitals_in_range_before"] is True
    assert form["dissociation"] is True  # CADSS 9
    assert form["sedation"] is False
    assert form["respiratory_depression"] is False
    assert form["opioids"] is False
    # The clinic has no phone or address yet, and the nurse no email: the form says so.
    assert body["missing"] == [
        "monitoring provider's phone",
        "monitoring provider's email",
        "healthcare setting's address",
    ]
    assert body["status"] == "due in 7 days"


def test_the_record_is_signed_only_with_a_complete_form(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    refused = chair.post("sign")
    assert refused.status_code == 409
    assert (
        "the REMS monitoring form still needs: monitoring provider's phone"
        in (refused.json()["detail"])
    )
    world.clinic.phone = "+1 555 0100"
    world.clinic.address = "12 River Street, Springfield"
    world.clinic.save()
    world.users["nurse"].email = "sam@clinic.example"
    world.users["nurse"].save()
    assert chair.post("sign").status_code == 200
    assert chair.post("sign").status_code == 409  # once

    due = chair.api.get("/rems-forms/due").json()
    assert [(d["patient_name"], d["status"], d["signed"]) for d in due] == [
        ("James Walker", "due in 7 days", True)
    ]
    pdf = chair.api.get(f"/sessions/{chair.id}/rems-form.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    record = chair.api.get(f"/sessions/{chair.id}/record.pdf")
    assert record.content.startswith(b"%PDF")

    submitted = chair.post("rems-form/submitted", reference="RMS-778812")
    assert submitted.status_code == 200
    assert chair.post("rems-form/submitted", reference="again").status_code == 409
    assert chair.api.get("/rems-forms/due").json() == []
    body = chair.api.get(f"/sessions/{chair.id}/rems-form").json()
    assert body["status"] == "submitted"
    assert body["reference"] == "RMS-778812"


def test_submission_needs_the_signed_record(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    refused = chair.post("rems-form/submitted", reference="RMS-1")
    assert refused.status_code == 409
    assert "sign the session record first" in refused.json()["detail"]


def test_a_second_session_is_not_the_first_treatment(world: World, clock: Any) -> None:
    first = esketamine_session(world, clock)
    session = TreatmentSession.objects.get(pk=first.id)
    later = TreatmentSession.objects.create(
        patient=session.patient,
        course=session.course,
        order=session.order,
        product=session.product,
        route=session.route,
        on=session.on,
        state="monitoring",
        dosing_started_at=timezone.now(),
        monitoring_started_at=timezone.now(),
    )
    body = first.api.get(f"/sessions/{later.pk}/rems-form").json()
    assert body["form"]["first_treatment"] is False
    assert "whether the patient is enrolled (first treatment)" not in body["missing"]


def test_an_iv_session_has_no_rems_form(world: World, clock: Any) -> None:
    chair = Chair(world, start(world, "iv_racemic"))
    assert chair.api.get(f"/sessions/{chair.id}/rems-form").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("front_desk", 403), ("admin", 403), ("patient", 404), ("other_clinic_nurse", 404)],
)
def test_who_may_not_see_the_form(world: World, clock: Any, persona: str, status: int) -> None:
    session_id = start(world)
    api = world.api(persona)
    assert api.get(f"/sessions/{session_id}/rems-form").status_code == status
    assert api.get(f"/sessions/{session_id}/rems-form.pdf").status_code == status
    assert api.get(f"/sessions/{session_id}/record.pdf").status_code == status
    due = api.get("/rems-forms/due")
    assert due.status_code == (200 if persona == "other_clinic_nurse" else 403)


@pytest.mark.parametrize(
    ("treated", "today", "status"),
    [
        (date(2026, 11, 2), date(2026, 11, 2), "due in 7 days"),
        (date(2026, 11, 2), date(2026, 11, 8), "due in 1 day"),
        (date(2026, 11, 2), date(2026, 11, 9), "due today"),
        (date(2026, 11, 2), date(2026, 11, 10), "overdue"),
    ],
)
def test_the_seven_day_window(treated: date, today: date, status: str) -> None:
    assert due_on(treated) == date(2026, 11, 9)
    assert deadline_status(treated, False, today) == status
    assert deadline_status(treated, True, today) == "submitted"


def test_the_dashboard_lists_forms_due_to_clinicians_only(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    nurse = world.client("nurse").get("/dashboard/").content.decode()
    assert 'id="rems-due"' in nurse
    assert "Walker, James" in nurse
    assert "record not signed" in nurse
    assert 'id="rems-due"' not in world.client("admin").get("/dashboard/").content.decode()
    clock.shift(timedelta(days=8))
    late = world.client("nurse").get("/dashboard/").content.decode()
    assert "overdue" in late
    page = world.client("nurse").get(f"/chair/{chair.id}/").content.decode()
    assert "The REMS monitoring form still needs:" in page
    assert "monitoring provider&#x27;s phone" in page


def test_follow_up_questionnaires_open_at_their_time(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    made = chair.api.post(f"/sessions/{chair.id}/follow-ups", {"which": ["4h", "24h"]})
    assert made.status_code == 201, made.content
    links = {link["context"]: link for link in made.json()}
    session = TreatmentSession.objects.get(pk=chair.id)
    first_device = session.dosing_started_at
    assert first_device is not None
    url = links["4h"]["url"].split("testserver", 1)[1]
    early = world.client("patient").get(url)  # any browser: the link is the key
    assert early.status_code == 200
    assert "This questionnaire opens at" in early.content.decode()
    clock.shift(timedelta(hours=3))
    page = world.client("patient").get(url).content.decode()
    assert "opens at" not in page
    assert 'name="item_9"' in page
    answers = {f"item_{n}": "1" for n in range(1, 10)} | {"item_9": "0"}
    assert world.client("patient").post(url, answers).status_code in (200, 302)
    from ketamine_clinic.assessments.models import Assessment

    assert Assessment.objects.filter(context="4h", patient=world.patient).count() == 1


def test_follow_ups_only_after_the_dose_and_by_clinicians(world: World, clock: Any) -> None:
    chair = Chair(world, start(world))
    chair.refresh()
    early = chair.api.post(f"/sessions/{chair.id}/follow-ups", {"which": ["4h"]})
    assert early.status_code == 409
    desk = world.api("front_desk").post(f"/sessions/{chair.id}/follow-ups", {"which": ["4h"]})
    assert desk.status_code == 403


def test_the_chair_shows_the_links_once_with_qr_codes(world: World, clock: Any) -> None:
    chair = esketamine_session(world, clock)
    page = world.client("nurse").post(f"/chair/{chair.id}/follow-ups/", {"which": ["4h"]})
    html = page.content.decode()
    assert 'data-follow-up="4h"' in html
    assert 'src="data:image/svg+xml' in html
    assert "/q/" in html
