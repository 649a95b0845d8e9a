"""The chart's timeline: every clinical event of one patient, newest first, each linked to
where it is recorded. It reads across the apps (evaluations, consents, courses, sessions,
scores, alerts, notes), so it lives here at the top. A record entered in error stays on the
timeline, marked, as it stays in the chart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse

from ketamine_clinic.assessments.models import Assessment, SafetyAlert
from ketamine_clinic.common.days import day_start
from ketamine_clinic.evaluations.consent.models import PRODUCTS, Consent, RemsEnrolment
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.evaluations.notes.models import ClinicalNote
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import Course, TitrationDecision
from ketamine_clinic.treatment.queries.dosing import course_protocol
from ketamine_clinic.treatment_sessions.models import TreatmentSession

PAGE = 25
PRODUCT = dict(PRODUCTS)


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # evaluation, consent, course, session, score, alert, note
    title: str
    detail: str
    url: str
    in_error: bool = False


def _day(on: date) -> datetime:
    """A date recorded without a time, placed at the start of its day on the clinic's clock."""
    return day_start(on)


def _chart(patient: Patient, section: str) -> str:
    return reverse("patients:chart", args=[patient.pk]) + f"#{section}"


def _evaluations(patient: Patient, n: int) -> Iterator[Event]:
    for e in Evaluation.objects.filter(patient=patient).order_by("-created_at")[:n]:
        signed = e.signed_at is not None
        yield Event(
            e.signed_at or e.created_at, "evaluation",
            f"Evaluation {'signed' if signed else 'drafted'}",
            f"{PRODUCT.get(e.product, e.product)}"
            + (f": {e.decision.replace('_', ' ')}" if signed and e.decision else ""),
            reverse("evaluations:detail", args=[e.pk]), e.in_error,
        )  # fmt: skip


def _consents(patient: Patient, n: int) -> Iterator[Event]:
    for c in Consent.objects.filter(patient=patient).order_by("-patient_signed_at")[:n]:
        product = PRODUCT.get(c.product, c.product)
        url = reverse("evaluations:consent_pdf", args=[c.pk])
        error = c.in_error
        yield Event(c.patient_signed_at, "consent", "Consent signed", product, url, error)
        if c.withdrawn_at:
            yield Event(c.withdrawn_at, "consent", "Consent withdrawn", product, url, error)
    for r in RemsEnrolment.objects.filter(patient=patient).order_by("-enrolled_on")[:n]:
        url = _chart(patient, "eligibility")
        yield Event(_day(r.enrolled_on), "consent", "Enrolled in the Spravato REMS", "", url,
                    r.in_error)  # fmt: skip


def _courses(patient: Patient, n: int) -> Iterator[Event]:
    for c in Course.objects.filter(patient=patient).order_by("-created_at")[:n]:
        url = reverse("treatment:course", args=[c.pk])
        yield Event(c.created_at, "course", "Course ordered", course_protocol(c).name, url,
                    c.in_error)  # fmt: skip
    decisions = TitrationDecision.objects.filter(course__patient=patient).order_by("-created_at")
    for d in decisions.select_related("course")[:n]:
        yield Event(d.created_at, "course", f"Suggestion {d.get_decision_display().lower()}",
                    d.situation, reverse("treatment:course", args=[d.course_id]),
                    d.in_error)  # fmt: skip


def _sessions(patient: Patient, n: int) -> Iterator[Event]:
    found = TreatmentSession.objects.filter(patient=patient).order_by("-on", "-created_at")[:n]
    for s in found:
        at = s.discharged_at or s.aborted_at or s.checked_in_at or _day(s.on)
        yield Event(at, "session", f"Session {s.get_state_display().lower()}",
                    PRODUCT.get(s.product, s.product),
                    reverse("treatment_sessions:chair", args=[s.pk]),
                    s.in_error)  # fmt: skip


def _scores(patient: Patient, n: int) -> Iterator[Event]:
    url = _chart(patient, "measurements")
    for a in Assessment.objects.filter(patient=patient).order_by("-administered_at")[:n]:
        band = f" ({a.band_label})" if a.band_label else ""
        yield Event(a.administered_at, "score", f"{a.instrument_name} {a.total}{band}",
                    a.get_context_display(), url,
                    a.in_error)  # fmt: skip
    for alert in SafetyAlert.objects.filter(patient=patient).order_by("-raised_at")[:n]:
        yield Event(alert.raised_at, "alert", f"Safety alert: {alert.message}",
                    "acknowledged" if alert.acknowledged_at else "not yet acknowledged",
                    reverse("clinic:dashboard"))  # fmt: skip


def _notes(patient: Patient, n: int) -> Iterator[Event]:
    for note in ClinicalNote.objects.filter(patient=patient).order_by("-occurred_on")[:n]:
        yield Event(note.signed_at or _day(note.occurred_on), "note",
                    f"{note.get_kind_display()} note{'' if note.signed_at else ' (draft)'}",
                    note.title, _chart(patient, "notes"),
                    note.in_error)  # fmt: skip


def events(patient: Patient, page: int = 1, notes: bool = False) -> tuple[list[Event], bool]:
    """One page of the patient's events, newest first, and whether older ones follow. Each
    source gives at most as many as the pages so far can show, so the merge is exact."""
    enough = page * PAGE + 1
    sources = [_evaluations, _consents, _courses, _sessions, _scores] + ([_notes] if notes else [])
    merged = sorted(
        (event for source in sources for event in source(patient, enough)),
        key=lambda e: e.at,
        reverse=True,
    )
    shown = merged[(page - 1) * PAGE : page * PAGE]
    return shown, len(merged) > page * PAGE
