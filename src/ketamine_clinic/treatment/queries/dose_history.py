"""The doses a patient has been given, read from the record at the chair: what the dose
rules need (esketamine's earlier doses, the milligrams in the last 7 days, the last dosing
day). Never taken from a client: the rules are only as good as the history they see.

Reads the chair's administration entries (the current ones: a corrected entry counts as its
correction), summed per session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Min, Sum
from django.utils import timezone

from ketamine_clinic.clinical import repeated_dosing
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment_sessions.models import Administration, PreDoseCheck

ESKETAMINE = "esketamine_nasal"
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Given:
    session_id: str
    at: datetime
    mg: Decimal


def given_doses(patient: Patient, esketamine: bool, exclude_session: Any = None) -> list[Given]:
    """Per session, oldest first: when its first dose went in and how many mg were given, for
    esketamine or for racemic ketamine (they are different drugs and limits)."""
    rows = Administration.objects.filter(
        session__patient=patient, corrected_by__isnull=True, given_mg__isnull=False
    )
    rows = (
        rows.filter(session__product=ESKETAMINE)
        if esketamine
        else rows.exclude(session__product=ESKETAMINE)
    )
    if exclude_session is not None:
        rows = rows.exclude(session=exclude_session)
    totals = (
        rows.values("session_id")
        .annotate(mg=Sum("given_mg"), at=Min("at"))
        .order_by("at", "session_id")
    )
    return [Given(str(r["session_id"]), r["at"], r["mg"]) for r in totals if r["mg"] > 0]


def mg_in_week(doses: list[Given], now: datetime | None = None) -> Decimal:
    """Milligrams given in the 7 days before now."""
    since = (now or timezone.now()) - WEEK
    return sum((d.mg for d in doses if d.at > since), start=Decimal(0))


def last_dosing_day(doses: list[Given]) -> date | None:
    return timezone.localtime(doses[-1].at).date() if doses else None


def repeated_dosing_summary(patient: Patient) -> repeated_dosing.RepeatedDosingSummary:
    """The urinary symptom question across the sessions where a dose was given (both drugs):
    what the chart shows under the courses."""
    dosed = Administration.objects.filter(
        session__patient=patient, corrected_by__isnull=True, given_mg__gt=0
    ).values("session_id")
    checks = (
        PreDoseCheck.objects.filter(session_id__in=dosed, corrected_by__isnull=True)
        .order_by("-at", "-recorded_at")
        .values_list("session_id", "at", "urinary_symptoms")
    )
    latest: dict[Any, repeated_dosing.UrinaryAnswer] = {}
    for session_id, at, answer in checks:  # newest first: the first per session counts
        latest.setdefault(
            session_id, repeated_dosing.UrinaryAnswer(timezone.localtime(at).date(), answer)
        )
    sessions = dosed.order_by().distinct().count()
    answers = sorted(latest.values(), key=lambda a: a.on, reverse=True)
    return repeated_dosing.summarise(sessions, answers)
