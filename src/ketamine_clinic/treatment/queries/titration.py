"""Titration suggestions for a course, from its record and the patient's scores, and the
prescriber's decisions on them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.utils import timezone

from ketamine_clinic.assessments.outcomes import InstrumentSeries, patient_series
from ketamine_clinic.clinical.outcomes import ACUTE_CONTEXTS
from ketamine_clinic.clinical.titration import CourseFacts, OutcomeFacts, Suggestion, suggest
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import (
    Course,
    ScheduledSession,
    TitrationDecision,
)
from ketamine_clinic.treatment.queries import dosing

MIN_NOTE = 3


def _remission_held(series: InstrumentSeries) -> bool:
    outcome = series.outcome
    if outcome is None or outcome.baseline is None or series.remission_at_most is None:
        return False
    after = [
        a
        for a in series.assessments
        if a.context not in ACUTE_CONTEXTS and a.administered_at > outcome.baseline.at
    ]
    last_two = after[-2:]
    return len(last_two) == 2 and all(a.total <= series.remission_at_most for a in last_two)


def primary_outcome(patient: Patient) -> OutcomeFacts | None:
    """The scale titration reads: a clinician-rated one if it has a baseline, else the patient's
    own; among equals, the one scored most recently."""
    candidates = [
        s
        for s in patient_series(patient)
        if s.outcome is not None
        and s.outcome.status not in ("no_data", "no_baseline", "baseline_below_cutoff")
    ]
    if not candidates:
        return None

    def rank(series: InstrumentSeries) -> tuple[bool, Any]:
        latest = series.outcome.latest if series.outcome else None
        return (series.instrument.respondent == "clinician", latest.at if latest else None)

    best = max(candidates, key=rank)
    outcome = best.outcome
    assert outcome is not None  # noqa: S101  # filtered above
    return OutcomeFacts(
        instrument=best.instrument.short_name,
        status=outcome.status,
        baseline_total=outcome.baseline.total if outcome.baseline else None,
        latest_total=outcome.latest.total if outcome.latest else None,
        remission_held=_remission_held(best),
        relapse_on=timezone.localtime(outcome.relapse_at).date() if outcome.relapse_at else None,
    )


def _poorly_tolerated(given: Any, since: date | None) -> str | None:
    """What made the latest dose at the current order poorly tolerated, if it was."""
    if since is None:
        return None
    latest = given.filter(on__gte=since).order_by("-on").first()
    return latest.poorly_tolerated or None if latest else None


def course_facts(course: Course, today: date | None = None) -> CourseFacts:
    today = today or timezone.localdate()
    given = ScheduledSession.objects.filter(
        course=course,
        kind=ScheduledSession.Kind.DOSING,
        state=ScheduledSession.State.DONE,
        status=RecordStatus.ACTIVE,
    )
    order = dosing.signed_order(course)
    since = timezone.localtime(order.signed_at).date() if order and order.signed_at else None
    return CourseFacts(
        protocol=dosing.course_protocol(course),
        phase=course.phase,
        days_since_start=max(0, (today - course.start_on).days),
        doses_given=given.count(),
        order_id=str(order.pk) if order else None,
        doses_at_current=given.filter(on__gte=since).count() if since else 0,
        current_mg_per_kg=order.dose_mg_per_kg if order else None,
        current_mg=order.dose_mg if order else None,
        outcome=primary_outcome(course.patient),
        poorly_tolerated=_poorly_tolerated(given, since),
    )


def open_suggestions(course: Course) -> list[Suggestion]:
    """What applies now, less what a prescriber has already decided for the same situation."""
    if course.state != Course.State.ACTIVE:
        return []
    decided = set(
        TitrationDecision.objects.filter(course=course, status=RecordStatus.ACTIVE).values_list(
            "rule", "situation"
        )
    )
    return [s for s in suggest(course_facts(course)) if (s.rule, s.situation) not in decided]


def suggestion_json(suggestion: Suggestion) -> dict[str, Any]:
    data = asdict(suggestion)
    for name in ("proposed_mg_per_kg",):
        if data[name] is not None:
            data[name] = str(data[name])
    return data
