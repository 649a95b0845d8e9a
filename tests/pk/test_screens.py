"""Predicted concentrations on the course and order screens and the what-if view: drawn for
this patient, labelled as model estimates, and shown only to those who see the chart."""

from __future__ import annotations

from typing import Any

import pytest

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.patients.models import BodyMeasurement
from ketamine_clinic.treatment.models import DoseOrder, ScheduledSession
from tests.conftest import World
from tests.factories.chair import plan_today


@pytest.mark.parametrize("product", ["esketamine_nasal", "iv_racemic", "im_racemic"])
def test_the_course_shows_this_patients_curves(world: World, product: str) -> None:
    course = plan_today(world, product).course_id
    client = world.client("prescriber")
    page = client.get(f"/courses/{course}/").content.decode()
    assert "Predicted concentrations" in page
    assert "not measurements" in page
    for scope in ("", "?scope=schedule"):
        svg = client.get(f"/courses/{course}/pk.svg{scope}")
        assert svg["Content-Type"] == "image/svg+xml"
        text = svg.content.decode()
        assert "Model estimate, not a measurement" in text
        assert "No prediction" not in text
    assert AccessLog.objects.filter(what="pk prediction", patient_id=world.patient.pk).exists()


def test_the_what_if_view_compares_two_schedules(world: World) -> None:
    course = plan_today(world, "esketamine_nasal").course_id
    client = world.client("nurse")
    form = client.get(f"/courses/{course}/what-if/").content.decode()
    # Plan A starts as the course's own schedule, plan B as weekly: chosen, not typed.
    assert '<option value="course" selected>' in form
    assert '<option value="1x4" selected>' in form
    assert "Murrough et al., Biol Psychiatry 2013" in form  # each pattern names its source
    query: dict[str, Any] = {"a_dose_mg": "56", "a_days": "0,3,7,10", "b_dose_mg": "84",
                             "b_days": "0,7"}  # fmt: skip
    page = client.get(f"/courses/{course}/what-if/", query).content.decode()
    assert 'id="what-if"' in page
    assert "Plan A: 56 mg on days 0, 3, 7, 10" in page
    assert "Plan B: 84 mg on days 0, 7" in page
    chart = client.get(f"/courses/{course}/what-if.svg", query).content.decode()
    assert "Perez-Ruixo" in chart
    bad = client.get(f"/courses/{course}/what-if/", {**query, "b_days": "0,x"}).content.decode()
    assert "days as numbers separated by commas" in bad
    picked = {**query, "a_pattern": "3x2", "b_pattern": "q2w", "b_days": ""}
    page = client.get(f"/courses/{course}/what-if/", picked).content.decode()
    assert "Plan A: 56 mg on days 0, 2, 4, 7, 9, 11" in page  # Murrough's six in 12 days
    assert "Plan B: 84 mg on days 0, 14, 28, 42" in page
    from ketamine_clinic.treatment.models import Course
    from ketamine_clinic.treatment.queries.pk_plans import schedule_days

    planned = ", ".join(f"{d:g}" for d in schedule_days(Course.objects.get(pk=course)))
    mine = client.get(f"/courses/{course}/what-if/", {**picked, "a_pattern": "course"})
    assert f"Plan A: 56 mg on days {planned}</td>" in mine.content.decode()
    empty = {**query, "b_pattern": "custom", "b_days": ""}
    missing = client.get(f"/courses/{course}/what-if/", empty).content.decode()
    assert "Type the days, or choose a schedule." in missing
    odd = client.get(f"/courses/{course}/what-if/", {**query, "b_dose_mg": "50"}).content.decode()
    assert "No prediction: 28 mg per device" in odd


def test_the_order_form_draws_what_is_typed(world: World) -> None:
    plan_today(world, "iv_racemic")
    client = world.client("prescriber")
    preview = client.post(
        f"/patients/{world.patient.pk}/courses/preview/",
        {"protocol": "iv-racemic-standard", "dose_mg_per_kg": "0.5",
         **world.infusion(), "duration_min": "40"},
    ).content.decode()  # fmt: skip
    assert "pk-preview.svg?product=iv_racemic" in preview
    svg = client.get(
        f"/patients/{world.patient.pk}/pk-preview.svg",
        {"product": "iv_racemic", "dose_mg": "35", "duration_min": "40"},
    )
    assert "Model estimate, not a measurement" in svg.content.decode()
    bad = client.get(f"/patients/{world.patient.pk}/pk-preview.svg", {"product": "iv_racemic"})
    assert "No prediction" in bad.content.decode()


def test_no_weight_no_prediction(world: World) -> None:
    course = plan_today(world, "iv_racemic").course_id
    BodyMeasurement.objects.filter(patient=world.patient).update(status="entered_in_error")
    svg = world.client("prescriber").get(f"/courses/{course}/pk.svg").content.decode()
    assert "No prediction" in svg
    assert "weight" in svg


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 200), ("nurse", 200), ("front_desk", 403), ("patient", 404),
     ("other_clinic_nurse", 404)],
)  # fmt: skip
def test_who_sees_the_predictions(world: World, persona: str, status: int) -> None:
    course = plan_today(world, "esketamine_nasal").course_id
    client = world.client(persona)
    assert client.get(f"/courses/{course}/pk.svg").status_code == status
    assert client.get(f"/courses/{course}/what-if/").status_code == status
    assert ScheduledSession.objects.filter(course_id=course).exists()


def test_an_order_entered_in_error_is_not_predicted(world: World) -> None:
    course = plan_today(world, "iv_racemic").course_id
    DoseOrder.objects.filter(course_id=course).update(status="entered_in_error")
    assert world.client("prescriber").get(f"/courses/{course}/pk.svg").status_code == 404


@pytest.mark.parametrize(
    ("product", "model", "band"),
    [("iv_racemic", "Clements", False), ("im_racemic", "Fanta/Otto", True),
     ("esketamine_nasal", "Perez-Ruixo", True)],
)  # fmt: skip
def test_each_product_is_drawn_with_its_routes_default_model(
    world: World, product: str, model: str, band: bool
) -> None:
    """The screens use the model the API would choose; a model without published variability
    is drawn without a band and says why."""
    course = plan_today(world, product).course_id
    svg = world.client("prescriber").get(f"/courses/{course}/pk.svg").content.decode()
    assert model in svg
    assert ("Band: 5th-95th percentile" in svg) is band
    assert ("No band: this model has no published between-patient variability" in svg) is not band
