"""The clinic owner's outcome report: response and remission by protocol and route, time to
response, how long responses last (Kaplan-Meier), adverse events per session, blood-pressure
excursions, REMS forms on time, and ledger discrepancies, for a period, a prescriber and a
protocol.

The cohort is the courses started in the period (not entered in error). Outcomes use one
instrument (PHQ-9 unless asked otherwise) and the same classification as the chart
(clinical/outcomes.py): a patient counts once per group, classified over all their scores.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.assessments.catalogue import instruments_for, remission_threshold
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.assessments.outcomes import DOSE_CONTEXTS
from ketamine_clinic.clinical.outcome_stats import Rate, kaplan_meier, km_median, median_or_none
from ketamine_clinic.clinical.outcomes import Point, classify
from ketamine_clinic.clinical.rems_form import SUBMIT_WITHIN
from ketamine_clinic.clinical.vital_signs import thresholds
from ketamine_clinic.errors import InvalidInput
from ketamine_clinic.inventory.models import Count, LossReport
from ketamine_clinic.patients.models import RecordStatus
from ketamine_clinic.treatment.models import Course
from ketamine_clinic.treatment_sessions.models import AdverseEvent, TreatmentSession, VitalSigns

ROUTE_OF_PRODUCT = {
    "iv_racemic": "iv",
    "im_racemic": "im",
    "esketamine_nasal": "intranasal",
    "oral_racemic": "oral",
    "sublingual_racemic": "sublingual",
}
MAX_PERIOD = timedelta(days=3 * 366)
NOTE = (
    "Counts from the clinic's own records; rates are of patients with a baseline and at least "
    "one later score on the instrument. Not adjusted for who was treated with what: compare "
    "protocols with care."
)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    prescriber: Any = None
    protocol: str | None = None
    instrument: str = "phq9"

    def check(self) -> None:
        if self.end < self.start:
            raise InvalidInput("end", "must not be before start")
        if self.end - self.start > MAX_PERIOD:
            raise InvalidInput("end", "at most three years at a time")


def _courses(clinic: Clinic, f: Filters) -> Any:
    courses = Course.objects.filter(
        patient__clinic=clinic,
        status=RecordStatus.ACTIVE,
        start_on__gte=f.start,
        start_on__lte=f.end,
    ).exclude(state=Course.State.DRAFT)
    if f.protocol:
        courses = courses.filter(protocol_id=f.protocol)
    if f.prescriber:
        courses = courses.filter(orders__signed_by_id=f.prescriber).distinct()
    return courses


def build(clinic: Clinic, f: Filters) -> dict[str, Any]:
    f.check()
    instrument = instruments_for(clinic.pk).get(f.instrument)
    if instrument is None or not instrument.outcome_measure:
        raise InvalidInput("instrument", "not an outcome measure of this clinic")
    threshold = remission_threshold(clinic, instrument)
    courses = list(_courses(clinic, f).values("pk", "patient_id", "protocol_id", "product"))
    patient_ids = {c["patient_id"] for c in courses}
    scores: dict[Any, list[Point]] = defaultdict(list)
    first_treatment: dict[Any, datetime] = {}
    rows = (
        Assessment.objects.filter(
            patient_id__in=patient_ids, instrument_id=f.instrument, status=RecordStatus.ACTIVE
        )
        .order_by("administered_at")
        .values_list("patient_id", "administered_at", "total", "context")
    )
    for patient_id, at, total, context in rows:
        scores[patient_id].append(Point(at, total, context))
        if context in DOSE_CONTEXTS:
            first_treatment.setdefault(patient_id, at)
    first_doses = (
        TreatmentSession.objects.filter(
            patient_id__in=patient_ids,
            status=RecordStatus.ACTIVE,
            dosing_started_at__isnull=False,
        )
        .values("patient_id")
        .annotate(first=Min("dosing_started_at"))
    )
    for row in first_doses:
        first_treatment[row["patient_id"]] = row["first"]
    outcomes = {
        pid: classify(scores[pid], threshold or 0, first_treatment.get(pid)) for pid in patient_ids
    }
    groups: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for c in courses:
        groups[(c["protocol_id"], ROUTE_OF_PRODUCT.get(c["product"], c["product"]))].add(
            c["patient_id"]
        )
    by_group = [_group(protocol, route, ids, outcomes) for (protocol, route), ids in
                sorted(groups.items())]  # fmt: skip
    course_ids = [c["pk"] for c in courses]
    return {
        "filters": {
            "start": f.start.isoformat(),
            "end": f.end.isoformat(),
            "prescriber": str(f.prescriber) if f.prescriber else None,
            "protocol": f.protocol,
            "instrument": f.instrument,
            "remission_at_most": threshold,
        },
        "note": NOTE,
        "cohort": {"courses": len(courses), "patients": len(patient_ids)},
        "overall": _group("all", "all", patient_ids, outcomes),
        "by_group": by_group,
        "durability": _durability(patient_ids, outcomes),
        **_sessions(course_ids, thresholds(clinic.session_settings).no_dosing_mmhg),
        "ledger": _ledger(clinic, f),
    }


def _group(protocol: str, route: str, ids: set[Any], outcomes: dict[Any, Any]) -> dict[str, Any]:
    measured = [outcomes[i] for i in ids if outcomes[i].baseline and outcomes[i].latest
                and outcomes[i].latest.at > outcomes[i].baseline.at]  # fmt: skip
    responded = [o for o in measured if o.first_response_at is not None]
    response = Rate(sum(1 for o in measured if o.response), len(measured))
    remission = Rate(sum(1 for o in measured if o.remission), len(measured))
    ever = Rate(len(responded), len(measured))
    return {
        "protocol": protocol,
        "route": route,
        "patients": len(ids),
        "measured": len(measured),
        "response_now": response.count,
        "response_now_pct": response.pct,
        "remission_now": remission.count,
        "remission_now_pct": remission.pct,
        "ever_responded": ever.count,
        "ever_responded_pct": ever.pct,
        "median_days_to_response": median_or_none(
            [o.days_to_first_response for o in responded if o.days_to_first_response is not None]
        ),
    }


def _durability(ids: set[Any], outcomes: dict[Any, Any]) -> dict[str, Any]:
    """Time from the first response to relapse (an event) or to the last score while still
    responding (censored)."""
    durations, events = [], []
    for pid in ids:
        o = outcomes[pid]
        if o.first_response_at is None or o.latest is None:
            continue
        if o.relapse_at is not None:
            durations.append((o.relapse_at - o.first_response_at).days)
            events.append(True)
        elif o.response:
            durations.append((o.latest.at - o.first_response_at).days)
            events.append(False)
    steps = kaplan_meier(durations, events)
    return {
        "responders": len(durations),
        "relapses": sum(events),
        "median_days": km_median(steps),
        "curve": [
            {"day": s.day, "at_risk": s.at_risk, "events": s.events, "censored": s.censored,
             "survival": s.survival}
            for s in steps
        ],
    }  # fmt: skip


def _sessions(course_ids: list[Any], line: tuple[int, int]) -> dict[str, Any]:
    """`line`: the clinic's no-dosing blood pressure (clinical/vital_signs.py); a reading
    above it at any time in a session is an excursion."""
    sessions = TreatmentSession.objects.filter(
        course_id__in=course_ids, status=RecordStatus.ACTIVE, dosing_started_at__isnull=False
    )
    count = sessions.count()
    events = (
        AdverseEvent.objects.filter(session__in=sessions, corrected_by__isnull=True)
        .values("kind", "severity")
        .order_by("kind", "severity")
    )
    tally: dict[tuple[str, str], int] = defaultdict(int)
    for e in events:
        tally[(e["kind"], e["severity"])] += 1
    high = VitalSigns.objects.filter(session__in=sessions, corrected_by__isnull=True).filter(
        Q(systolic_mmhg__gt=line[0]) | Q(diastolic_mmhg__gt=line[1])
    )
    excursions = high.values("session_id").distinct().count()
    esketamine = sessions.filter(product="esketamine_nasal", discharged_at__isnull=False)
    due = esketamine.count()
    on_time = sum(
        1 for on, at in esketamine.values_list("on", "rems_submitted_at")
        if at is not None and timezone.localtime(at).date() <= on + SUBMIT_WITHIN
    )  # fmt: skip
    submitted = esketamine.filter(rems_submitted_at__isnull=False).count()
    today = timezone.localdate()
    overdue = esketamine.filter(rems_submitted_at__isnull=True, on__lt=today - SUBMIT_WITHIN)
    return {
        "sessions": count,
        "adverse_events": [
            {"kind": k, "severity": s, "count": n,
             "per_100_sessions": round(n * 100 / count, 1) if count else None}
            for (k, s), n in sorted(tally.items())
        ],
        "blood_pressure": {
            "sessions_with_excursion": excursions,
            "pct": Rate(excursions, count).pct,
            "threshold_mmhg": f"{line[0]}/{line[1]}",
        },
        "rems": {
            "forms": due,
            "submitted": submitted,
            "within_7_days": on_time,
            "within_7_days_pct": Rate(on_time, due).pct,
            "overdue": overdue.count(),
        },
    }  # fmt: skip


def _ledger(clinic: Clinic, f: Filters) -> dict[str, Any]:
    tz = timezone.get_current_timezone()
    counts = Count.objects.filter(
        clinic=clinic,
        taken_at__gte=datetime.combine(f.start, time.min, tzinfo=tz),
        taken_at__lt=datetime.combine(f.end + timedelta(days=1), time.min, tzinfo=tz),
    )
    short = counts.filter(shortfall_mg__gt=0)
    losses = LossReport.objects.filter(
        clinic=clinic, discovered_on__gte=f.start, discovered_on__lte=f.end
    )
    return {
        "counts": counts.count(),
        "counts_with_shortfall": short.count(),
        "shortfall_mg": str(sum((c.shortfall_mg for c in short), start=0)),
        "loss_reports": losses.count(),
        "loss_reports_open": losses.filter(
            Q(notice_sent_on__isnull=True) | Q(form_106_filed_on__isnull=True)
        ).count(),
    }


def as_csv(report: dict[str, Any]) -> str:
    """The table a spreadsheet wants: one row per protocol and route, then the overall row."""
    rows = [*report["by_group"], report["overall"]]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
