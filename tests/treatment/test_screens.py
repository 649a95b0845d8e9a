"""Course screens: the live calculator, ordering, signing behind the gate, the calendar."""

from __future__ import annotations

import pytest

from ketamine_clinic.treatment.models import Course, ScheduledSession
from tests.conftest import World
from tests.factories.courses import next_monday, open_gate

FORM = {
    "protocol": "iv-racemic-standard",
    "dose_mg_per_kg": "0.5",
    "duration_min": "40",
}


def test_live_calculator_shows_each_step(world: World) -> None:
    client = world.client("prescriber")
    html = client.post(
        f"/patients/{world.patient.pk}/courses/preview/", {**FORM, **world.infusion()}
    ).content.decode()
    assert 'data-step="Dosing weight">70 kg<' in html
    assert 'data-step="Dose">35 mg<' in html
    assert 'data-step="Draw from Ketamine 10 mg/mL">3.5 mL<' in html
    assert 'data-step="Add 0.9% sodium chloride">46.5 mL<' in html
    assert 'data-step="Final concentration">0.7 mg/mL<' in html
    assert 'data-step="Pump rate">75 mL/h<' in html
    bare = client.post(f"/patients/{world.patient.pk}/courses/preview/", FORM).content.decode()
    assert "Choose the product the dose is drawn from" in bare
    high = client.post(
        f"/patients/{world.patient.pk}/courses/preview/",
        {**FORM, **world.infusion(), "dose_mg_per_kg": "1.2"},
    )
    assert "needed before the order can be signed" in high.content.decode()
    small = client.post(
        f"/patients/{world.patient.pk}/courses/preview/",
        {**FORM, **world.infusion(), "final_volume_ml": "15"},
    )
    assert "an infusion is at most 2 mg/mL (at least 18 mL)" in small.content.decode()


def test_order_sign_and_calendar(world: World) -> None:
    client = world.client("prescriber")
    assert client.get(f"/patients/{world.patient.pk}/courses/new/").status_code == 200
    response = client.post(
        f"/patients/{world.patient.pk}/courses/new/",
        {**FORM, **world.infusion(), "start_on": next_monday().isoformat()},
    )
    assert response.status_code == 302
    course = Course.objects.get()
    page = client.get(response.url).content.decode()
    assert 'data-course-state="draft"' in page
    order = course.orders.get()
    refused = client.post(f"/orders/{order.pk}/sign/", {"version": order.version}, follow=True)
    assert "still needs a signed evaluation" in refused.content.decode()
    open_gate(world)
    client.post(f"/orders/{order.pk}/sign/", {"version": order.version})
    course.refresh_from_db()
    assert course.state == "active"
    session = ScheduledSession.objects.filter(course=course).first()
    assert session is not None
    client.post(
        f"/schedule/{session.pk}/mark/",
        {"version": session.version, "state": "missed", "note": "no show"},
    )
    session.refresh_from_db()
    assert session.state == "missed"
    chart = client.get(f"/patients/{world.patient.pk}/courses/").content.decode()
    assert "IV ketamine 0.5 mg/kg over 40 minutes</a>" in chart  # its name, not its id


@pytest.mark.parametrize(
    ("role", "status"),
    [("nurse", 403), ("front_desk", 403), ("other_clinic_nurse", 404), ("patient", 404)],
)
def test_ordering_screens_are_for_prescribers(world: World, role: str, status: int) -> None:
    client = world.client(role)
    assert client.get(f"/patients/{world.patient.pk}/courses/new/").status_code == status
    assert client.post(f"/patients/{world.patient.pk}/courses/preview/", FORM).status_code == status
    assert not Course.objects.exists()
