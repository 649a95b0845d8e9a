"""Evaluation screens: form, decision page, override, sign, amend, chart card; denials."""

from __future__ import annotations

import pytest

from ketamine_clinic.evaluations.models import Evaluation
from tests.conftest import World

FORM = {
    "evaluated_on": "2026-01-05",
    "diagnosis": "mdd",
    "product": "iv_racemic",
    "indication": "off_label",
    "label_region": "US",
    "episode_months": "18",
    "episode_severity": "severe",
    "systolic_mmhg": "150",
    "diastolic_mmhg": "95",
    "substance_use": "none",
    "urine_tox": "negative",
    "hepatic_impairment": "none",
    "narrative": "Three failed antidepressants; CBT.",
}


def test_prescriber_records_overrides_and_signs(world: World) -> None:
    client = world.client("prescriber")
    created = client.post(
        f"/patients/{world.patient.pk}/evaluations/new/", {**FORM, "psychosis_history": "on"}
    )
    assert created.status_code == 302
    evaluation = Evaluation.objects.get()
    page = client.get(created.url).content.decode()
    assert 'data-decision="not_eligible"' in page
    assert "History of psychosis." in page
    assert "Blood pressure 150/95 mmHg" in page
    # Override the relative contraindications one by one.
    for code in ("trd_not_met", "psychosis_history"):
        evaluation.refresh_from_db()
        done = client.post(
            f"/evaluations/{evaluation.pk}/override/",
            {
                "code": code,
                "basis": "benefit_outweighs_risk",
                "reason": "discussed at the team meeting",
                "version": evaluation.version,
            },
        )
        assert done.status_code == 302
    evaluation.refresh_from_db()
    assert 'data-decision="eligible_with_precautions"' in client.get(created.url).content.decode()
    client.post(f"/evaluations/{evaluation.pk}/sign/", {"version": evaluation.version})
    evaluation.refresh_from_db()
    assert evaluation.is_signed
    assert evaluation.decision == "eligible_with_precautions"
    # Signed: editing sends you back; amending starts a new draft.
    assert client.get(f"/evaluations/{evaluation.pk}/edit/").status_code == 302
    amended = client.post(f"/evaluations/{evaluation.pk}/amend/")
    assert amended.status_code == 302
    assert Evaluation.objects.filter(amends=evaluation).count() == 1


def test_absolute_cannot_be_overridden_on_screen(world: World) -> None:
    client = world.client("prescriber")
    created = client.post(
        f"/patients/{world.patient.pk}/evaluations/new/", {**FORM, "hypersensitivity": "on"}
    )
    evaluation = Evaluation.objects.get()
    page = client.get(created.url).content.decode()
    assert "Cannot be overridden" in page
    client.post(
        f"/evaluations/{evaluation.pk}/override/",
        {"code": "hypersensitivity", "reason": "really wants it", "version": evaluation.version},
    )
    evaluation.refresh_from_db()
    assert evaluation.overrides == {}


def test_form_names_bad_fields(world: World) -> None:
    response = world.client("prescriber").post(
        f"/patients/{world.patient.pk}/evaluations/new/",
        {**FORM, "systolic_mmhg": "20", "evaluated_on": "2999-01-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "must not be in the future" in html
    assert "Baseline systolic must be at least 50 mmHg." in html
    assert not Evaluation.objects.exists()


def test_chart_card_shows_status_and_what_is_missing(world: World) -> None:
    client = world.client("nurse")
    card = client.get(f"/patients/{world.patient.pk}/eligibility/").content.decode()
    assert "No evaluation yet." in card
    assert 'data-gate="closed"' in card
    assert "a signed evaluation" in card


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("nurse", 403),
        ("front_desk", 403),
        ("admin", 403),
        ("patient", 404),
        ("other_clinic_nurse", 404),
    ],
)
def test_only_prescribers_evaluate(world: World, persona: str, status: int) -> None:
    client = world.client(persona)
    assert client.get(f"/patients/{world.patient.pk}/evaluations/new/").status_code == status
    assert client.post(f"/patients/{world.patient.pk}/evaluations/new/", FORM).status_code == status
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("front_desk", 403), ("other_clinic_nurse", 404), ("patient", 404)]
)
def test_evaluation_pages_denied(world: World, persona: str, status: int) -> None:
    world.client("prescriber").post(f"/patients/{world.patient.pk}/evaluations/new/", FORM)
    evaluation = Evaluation.objects.get()
    client = world.client(persona)
    assert client.get(f"/evaluations/{evaluation.pk}/").status_code == status
    assert client.get(f"/patients/{world.patient.pk}/eligibility/").status_code == status
    signed = client.post(f"/evaluations/{evaluation.pk}/sign/", {"version": 1})
    assert signed.status_code == status
    evaluation.refresh_from_db()
    assert not evaluation.is_signed


def test_a_clean_evaluation_says_what_was_checked_against_which_sources(world: World) -> None:
    from tests.evaluations.test_api import add_trials

    add_trials(world, "no_response", "no_response")
    client = world.client("prescriber")
    created = client.post(f"/patients/{world.patient.pk}/evaluations/new/",
                          {**FORM, "systolic_mmhg": "118", "diastolic_mmhg": "76"})  # fmt: skip
    page = client.get(created.url).content.decode()
    assert 'data-decision="eligible"' in page
    assert "No contraindications, precautions or interactions found." in page
    checked = page.split('id="checked"')[1].split("</ul>")[0]
    assert "Baseline blood pressure" in checked
    assert "Liver function" in checked
    assert "Ketalar (ketamine) US label" in checked
    assert checked.count("<li>") == 14
