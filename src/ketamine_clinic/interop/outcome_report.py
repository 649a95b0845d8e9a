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
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.assessments.catalogue import instruments_for, remission_threshold
from ketamine_clinic.assessments.models import OutcomeSummary
from ketamine_clinic.clinical.outcome_stats import (
    Rate,
    kaplan_meier_counts,
    km_median,
    median_of_counts,
)
from ketamine_clinic.clinical.outcomes import sustained_status
from ketamine_clinic.clinical.rems_form import SUBMIT_WITHIN
from ketamine_clinic.clinical.vital_signs import thresholds
from ketamine_clinic.common.days import days_span
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.inventory.models import Count, LossReport
from ketamine_clinic.records.models import RecordStatus
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
    "Counts from the clinic's own records; rates are of patients with a baseline (the last score "
    "before the first dose) above the remission cut-off and at least one later score on the "
    "instrument. A relapse is the loss of response on two scores at least 5 days apart. Not "
    "adjusted for who was treated with what: compare protocols with care."
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
        patient__status=RecordStatus.ACTIVE,
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
    courses = _courses(clinic, f)
    cohort = _Cohort(courses, f.instrument, threshold)
    overall = cohort.rates(by_group=False)
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
        "cohort": {"courses": cohort.courses, "patients": overall[0]["patients"]},
        "overall": overall[0],
        "by_group": cohort.rates(by_group=True),
        "durability": cohort.durability(),
        **_sessions(courses, thresholds(clinic.session_settings).no_dosing_mmhg),
        "ledger": _ledger(clinic, f),
    }


# One pass over the cohort: each course row joined to its patient's outcome row, numbered
# within its group and within the cohort so that a patient counts once per group and once
# overall, then counted by the facts the clinical rule needs. The SQL holds no rule: it
# compares the two scores with the cut-off (`within_cutoff`, clinical/outcomes.py, NULL for
# an instrument without one) and hands the answer, a small table of one row per group and
# combination of facts, to `judge`.
CUBE = """
WITH k AS ({cohort}),
j AS (
    SELECT k.protocol_id, k.product, s.measured, s.response, s.first_response_at,
        s.days_to_first_response, s.days_to_relapse, s.days_responding,
        s.baseline_total <= %s AS baseline_within, s.latest_total <= %s AS latest_within,
        ROW_NUMBER() OVER (PARTITION BY k.patient_id, k.protocol_id, k.product) AS in_group,
        ROW_NUMBER() OVER (PARTITION BY k.patient_id) AS in_cohort
    FROM k LEFT JOIN {summary} s ON s.patient_id = k.patient_id AND s.instrument_id = %s
)
SELECT protocol_id, product,
    CASE WHEN in_group = 1 THEN 1 ELSE 0 END,
    CASE WHEN in_cohort = 1 THEN 1 ELSE 0 END,
    CASE WHEN measured THEN 1 ELSE 0 END,
    CASE WHEN baseline_within THEN 1 ELSE 0 END,
    CASE WHEN latest_within THEN 1 ELSE 0 END,
    CASE WHEN response THEN 1 ELSE 0 END,
    CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN days_to_relapse IS NOT NULL THEN 1 ELSE 0 END,
    days_to_first_response,
    COALESCE(days_to_relapse, days_responding),
    COUNT(*)
FROM j
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
"""
SORT_MEMORY = "64MB"  # for this transaction only


@dataclass(frozen=True)
class _Judged:
    """One row of the cube judged by the chart's rule (clinical/outcomes.py)."""

    measured: bool
    response: bool
    remission: bool
    ever: bool
    days_to_response: int | None
    relapsed: bool
    run_days: int | None  # to the relapse (an event) or the latest score (censored)


def judge(
    measured: bool, baseline_within: bool, latest_within: bool, response: bool, ever: bool,
    relapsed: bool, days_to_response: int | None, run_days: int | None,
) -> _Judged:  # fmt: skip
    """Only a depressed baseline with a later score is judged (response and remission
    presuppose one); its status decides remission and relapse as on the chart."""
    if not measured or baseline_within:
        return _Judged(False, False, False, False, None, False, None)
    status = sustained_status(
        response=response, remission=latest_within, relapsed=relapsed, ever_responded=ever
    )
    ended = status == "relapse"
    return _Judged(
        True, response, status == "remission", ever, days_to_response, ended,
        run_days if ended or response else None,
    )  # fmt: skip


@dataclass
class _Tally:
    patients: int = 0
    measured: int = 0
    response: int = 0
    remission: int = 0
    ever: int = 0
    days: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, n: int, j: _Judged) -> None:
        self.patients += n
        self.measured += n * j.measured
        self.response += n * j.response
        self.remission += n * j.remission
        self.ever += n * j.ever
        if j.days_to_response is not None:
            self.days[j.days_to_response] += n

    def row(self, protocol: str, route: str) -> dict[str, Any]:
        return {
            "protocol": protocol,
            "route": route,
            "patients": self.patients,
            "measured": self.measured,
            "response_now": self.response,
            "response_now_pct": Rate(self.response, self.measured).pct,
            "remission_now": self.remission,
            "remission_now_pct": Rate(self.remission, self.measured).pct,
            "ever_responded": self.ever,
            "ever_responded_pct": Rate(self.ever, self.measured).pct,
            "median_days_to_response": median_of_counts(self.days),
        }


class _Cohort:
    """The cohort's outcome rows (assessments/outcome_summary.py), counted by the database in
    one query. The remission cut-off is applied here: it is the clinic's today."""

    def __init__(self, courses: Any, instrument_id: str, remission_at_most: int | None) -> None:
        # The course id keeps each course a row of its own where the prescriber filter's join
        # makes the cohort DISTINCT (two courses on one protocol are two courses).
        cohort = courses.order_by().values("id", "patient_id", "protocol_id", "product")
        sql, params = cohort.query.sql_with_params()
        query = CUBE.format(cohort=sql, summary=OutcomeSummary._meta.db_table)
        cut = remission_at_most
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # sort 100,000 rows in memory, not on disk
                cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
            cursor.execute(query, [*params, cut, cut, instrument_id])
            rows = cursor.fetchall()
        self.courses = 0
        self.overall = _Tally()
        self.groups: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
        self.happened: dict[int, int] = defaultdict(int)
        self.censored: dict[int, int] = defaultdict(int)
        for protocol, product, first_in_group, first_in_cohort, *facts, n in rows:
            self.courses += n
            judged = judge(*facts)
            if first_in_group:
                self.groups[(protocol, product)].add(n, judged)
            if first_in_cohort:
                self.overall.add(n, judged)
                if judged.run_days is not None:
                    (self.happened if judged.relapsed else self.censored)[judged.run_days] += n

    def rates(self, by_group: bool) -> list[dict[str, Any]]:
        """Response and remission now, and ever responded, with the median days to response."""
        if not by_group:
            return [self.overall.row("all", "all")]
        return sorted(
            (tally.row(protocol, ROUTE_OF_PRODUCT.get(product, product))
             for (protocol, product), tally in self.groups.items()),
            key=lambda r: (r["protocol"], r["route"]),
        )  # fmt: skip

    def durability(self) -> dict[str, Any]:
        """Time from the first response to relapse (an event) or to the last score while still
        responding (censored)."""
        steps = kaplan_meier_counts(self.happened, self.censored)
        return {
            "responders": sum(self.happened.values()) + sum(self.censored.values()),
            "relapses": sum(self.happened.values()),
            "median_days": km_median(steps),
            "curve": [
                {"day": s.day, "at_risk": s.at_risk, "events": s.events, "censored": s.censored,
                 "survival": s.survival}
                for s in steps
            ],
        }  # fmt: skip


def _sessions(courses: Any, line: tuple[int, int]) -> dict[str, Any]:
    """`line`: the clinic's no-dosing blood pressure (clinical/vital_signs.py); a reading
    above it at any time in a session is an excursion."""
    sessions = TreatmentSession.objects.filter(
        course__in=courses.values("pk"), status=RecordStatus.ACTIVE, dosing_started_at__isnull=False
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
    since, until = days_span(f.start, f.end)
    counts = Count.objects.filter(clinic=clinic, taken_at__gte=since, taken_at__lt=until)
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
