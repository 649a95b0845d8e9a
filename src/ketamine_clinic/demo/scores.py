"""Demo rating-scale scores: Ms. Chen's course, a relapse, a safety alert, weekly PHQ-9s."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments import actions as assessment_actions
from ketamine_clinic.assessments.models import Source
from ketamine_clinic.clinical.instruments import BUILTIN
from ketamine_clinic.demo.chen import CHEN_DOSE_DAYS
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient

MAIN_CLINIC = "Riverside Ketamine Clinic"
OTHER_CLINIC = "Harbor Mood Center"


def answers(instrument_id: str, total: int, item9: int = 0) -> dict[str, int]:
    """An answer set with the given total, spread over the items (item 9 of PHQ-9 apart)."""
    instrument = BUILTIN[instrument_id]
    answers = {item.id: item.min for item in instrument.items}
    spread = [i for i in instrument.items if not (instrument_id == "phq9" and i.id == "9")]
    if instrument_id == "phq9":
        answers["9"] = item9
        total -= item9
    n = 0
    while total > 0:
        item = spread[n % len(spread)]
        if answers[item.id] < item.max:
            answers[item.id] += 1
            total -= 1
        n += 1
    return answers


def score(
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    total: int,
    at: datetime,
    context: str,
    item9: int = 0,
    source: str = Source.STAFF,
) -> None:
    role = actor.user.role_in(patient.clinic_id) or Role.NURSE
    assessment_actions.record_assessment(
        actor,
        PatientAccess(patient, role),
        BUILTIN[instrument_id],
        answers(instrument_id, total, item9),
        at,
        context,
        source=source,
    )


def chen_scores(actor: Actor, patient: Patient, start: datetime) -> None:
    """Journey 5: six infusions, PHQ-9 from 21 to 8 (a response), 4-hour and 24-hour scores."""
    score(actor, patient, "phq9", 21, start, "baseline")
    score(actor, patient, "gad7", 15, start, "baseline")
    score(actor, patient, "madrs", 34, start + timedelta(hours=1), "baseline")
    pre_4h_24h = [(21, 10, 15), (18, 9, 13), (15, 8, 12), (13, 7, 11), (11, 6, 10), (10, 5, 9)]
    induction = [(day, *scores) for day, scores in zip(CHEN_DOSE_DAYS, pre_4h_24h, strict=True)]
    for day, pre, four_h, next_day in induction:
        dose = start + timedelta(days=day)
        score(actor, patient, "phq9", pre, dose, "pre_dose")
        score(actor, patient, "phq9", four_h, dose + timedelta(hours=4), "4h", source=Source.PORTAL)
        score(
            actor, patient, "phq9", next_day, dose + timedelta(days=1), "24h", source=Source.PORTAL
        )
    for week, (phq, gad) in enumerate([(9, 9), (8, 8), (8, 7)], start=3):
        at = start + timedelta(weeks=week, days=2)
        score(actor, patient, "phq9", phq, at, "weekly", source=Source.PORTAL)
        score(actor, patient, "gad7", gad, at, "weekly", source=Source.PORTAL)
    score(actor, patient, "madrs", 16, start + timedelta(days=17), "weekly")


def relapse_scores(actor: Actor, patient: Patient, now: datetime) -> None:
    start = now - timedelta(days=70)
    score(actor, patient, "phq9", 20, start, "baseline")
    for days, total in [(14, 9), (28, 8), (42, 11), (56, 16), (63, 17)]:
        score(
            actor,
            patient,
            "phq9",
            total,
            start + timedelta(days=days),
            "weekly",
            source=Source.PORTAL,
        )


def alert_score(actor: Actor, patient: Patient, now: datetime) -> None:
    """Journey 4: an answer of "several days" to item 9 at home, waiting on the dashboard."""
    score(actor, patient, "phq9", 18, now - timedelta(days=20), "baseline")
    score(
        actor,
        patient,
        "phq9",
        16,
        now - timedelta(hours=10),
        "weekly",
        item9=1,
        source=Source.PORTAL,
    )


def weekly_scores(actor: Actor, patient: Patient, rng: random.Random, now: datetime) -> None:
    base = rng.randrange(14, 25)
    start = now - timedelta(days=rng.randrange(20, 50))
    score(actor, patient, "phq9", base, start, "baseline")
    total = base
    for week in range(1, rng.randrange(2, 6)):
        total = max(2, total - rng.randrange(0, 5))
        score(
            actor,
            patient,
            "phq9",
            total,
            start + timedelta(weeks=week),
            "weekly",
            source=Source.PORTAL,
        )
