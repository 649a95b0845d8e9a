"""Courses for tests: the treatment gate opened, a course ordered and signed, doses given
and scores recorded, on a clinic open every day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.evaluations import actions as evaluation_actions
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.patients.access import PatientAccess
from tests.conftest import World


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


COURSE = {
    "protocol": "iv-racemic-standard",
    "dose_mg_per_kg": "0.5",
    "duration_min": "40",
}


def order(world: World, **change: Any) -> Any:
    return world.api("prescriber").post(
        f"/patients/{world.patient.pk}/courses",
        {**COURSE, **world.infusion(), "start_on": next_monday().isoformat(), **change},
    )


def open_gate(world: World, product: str = "iv_racemic") -> None:
    """A signed, eligible evaluation and a signed consent for the patient (and for esketamine
    the REMS enrolment)."""
    api = world.api("prescriber")
    for n in range(2):
        api.post(
            f"/patients/{world.patient.pk}/treatment-history",
            {
                "kind": "antidepressant",
                "name": f"drug {n}",
                "duration_weeks": 8,
                "adequate": True,
                "outcome": "no_response",
            },
        )
    actor = Actor(user=world.users["prescriber"])
    access = PatientAccess(world.patient, Role.PRESCRIBER)
    evaluation = evaluation_actions.create_evaluation(
        actor,
        access,
        {
            "evaluated_on": timezone.localdate(),
            "diagnosis": "mdd",
            "product": product,
            "indication": "trd" if product == "esketamine_nasal" else "off_label",
            "episode_months": 12,
            "episode_severity": "moderate",
            "systolic_mmhg": 120,
            "diastolic_mmhg": 80,
        },
    )
    evaluation_actions.sign_evaluation(actor, access, evaluation, evaluation.version)
    document = consent_actions.publish_document(
        actor, world.clinic, product, "Consent", "The text of it, in full."
    )
    consent_actions.record_consent(actor, access, document, "James Walker", signature_typed="JW")
    if product == "esketamine_nasal":
        consent_actions.enrol_rems(
            actor, access, timezone.localdate(), "REMS-0001", patient_signed=True
        )


def open_every_day(world: World) -> None:
    world.clinic.open_weekdays = [0, 1, 2, 3, 4, 5, 6]
    world.clinic.save()


def phq9(total: int, at: datetime, context: str = "weekly") -> dict[str, Any]:
    """Items 1-8 adding up to `total` (at most 24), item 9 zero."""
    items = {str(n): min(3, max(0, total - 3 * (n - 1))) for n in range(1, 9)} | {"9": 0}
    assert sum(items.values()) == total
    return {
        "instrument": "phq9",
        "items": items,
        "administered_at": at.isoformat(),
        "context": context,
    }


def signed_course(world: World) -> dict[str, Any]:
    """An IV course signed today with a PHQ-9 baseline of 18."""
    open_every_day(world)
    open_gate(world)
    api = world.api("prescriber")
    body = order(world, start_on=timezone.localdate().isoformat()).json()
    api.post(f"/orders/{body['orders'][0]['id']}/sign", {"version": 1})
    baseline = phq9(18, timezone.now() - timedelta(days=1), "baseline")
    assert api.post(f"/patients/{world.patient.pk}/assessments", baseline).status_code == 201
    return body


def give(world: World, course: dict[str, Any], count: int) -> None:
    nurse = world.api("nurse")
    dosing = [s for s in course["schedule"] if s["kind"] == "dosing"]
    for session in dosing[:count]:
        response = nurse.post(f"/schedule/{session['id']}/done", {"version": 1, "note": "given"})
        assert response.status_code == 200, response.content


def score(world: World, total: int) -> None:
    response = world.api("nurse").post(
        f"/patients/{world.patient.pk}/assessments", phq9(total, timezone.now())
    )
    assert response.status_code == 201, response.content
