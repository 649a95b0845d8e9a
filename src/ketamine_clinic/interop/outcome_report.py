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

from django.db import connection
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
NO_REMISSION = -1  # an instrument without a cut-off: no score is at or below it
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
    cohort = _Cohort(courses, f.instrument, NO_REMISSION if threshold is None else threshold)
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
        "cohort": {"courses": courses.count(), "patients": overall[0]["patients"]},
        "overall": overall[0],
        "by_group": cohort.rates(by_group=True),
        "durability": cohort.durability(),
        **_sessions(courses, thresholds(clinic.session_settings).no_dosing_mmhg),
        "ledger": _ledger(clinic, f),
    }


class _Cohort:
    """The cohort's outcome rows (assessments/outcome_summary.py), aggregated by the database.

    Each query starts from the courses as a common table `k`, and takes one row per patient
    and group (or per patient, for the whole cohort), so a patient with two courses in one
    group counts once. The remission cut-off is applied here: it is the clinic's today."""

    def __init__(self, courses: Any, instrument_id: str, remission_at_most: int) -> None:
        sql, params = courses.values("patient_id", "protocol_id", "product").query.sql_with_params()
        self.cohort_sql, self.cohort_params = sql, list(params)
        self.instrument_id = instrument_id
        self.cut = remission_at_most

    def _query(self, by_group: bool, select: str, where: str, tail: str, params: list[Any]) -> Any:
        """SELECT {select} over the cohort joined to its outcome rows; `params` fill the
        placeholders of `select`, then `where`, then `tail`, in that order."""
        keys = "protocol_id, product, " if by_group else ""
        # Only fixed fragments of this class and the ORM's own SQL; every value is a parameter.
        sql = (
            f"WITH k AS ({self.cohort_sql}), "  # noqa: S608
            f"c AS (SELECT DISTINCT {keys}patient_id FROM k) "
            f"SELECT {select} FROM c LEFT JOIN {OutcomeSummary._meta.db_table} s "
            f"ON s.patient_id = c.patient_id AND s.instrument_id = %s "
            f"WHERE {where} {tail}"
        )
        select_params = params[: select.count("%s")]
        rest = params[select.count("%s") :]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.cohort_params, *select_params, self.instrument_id, *rest])
            return cursor.fetchall()

    def rates(self, by_group: bool) -> list[dict[str, Any]]:
        """Response and remission now, and ever responded, with the median days to response."""
        keys = "c.protocol_id, c.product, " if by_group else ""
        rows = self._query(
            by_group,
            f"""{keys}COUNT(*),
                SUM(CASE WHEN s.measured THEN 1 ELSE 0 END),
                SUM(CASE WHEN s.measured AND s.response THEN 1 ELSE 0 END),
                SUM(CASE WHEN s.measured AND s.latest_total <= %s THEN 1 ELSE 0 END),
                SUM(CASE WHEN s.measured AND s.first_response_at IS NOT NULL THEN 1 ELSE 0 END)""",
            "1 = 1",
            f"GROUP BY {keys[:-2]}" if by_group else "",
            [self.cut],
        )
        days = self._query(
            by_group,
            f"{keys}s.days_to_first_response, COUNT(*)",
            "s.measured AND s.days_to_first_response IS NOT NULL",
            f"GROUP BY {keys}s.days_to_first_response",
            [],
        )
        histograms: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        for *key, day, n in days:
            group = (key[0], key[1]) if by_group else ("all", "all")
            histograms[group][day] = n
        result = []
        for *key, patients, measured, response, remission, ever in rows:
            protocol, product = (key[0], key[1]) if by_group else ("all", "all")
            result.append(
                _rates_row(
                    protocol,
                    ROUTE_OF_PRODUCT.get(product, product),
                    (patients, measured or 0, response or 0, remission or 0, ever or 0),
                    histograms[(protocol, product)],
                )
            )
        return sorted(result, key=lambda r: (r["protocol"], r["route"]))

    def durability(self) -> dict[str, Any]:
        """Time from the first response to relapse (an event) or to the last score while still
        responding (censored). A relapse whose latest score is in remission is neither
        (clinical/outcomes.py: that patient's status is remission)."""
        relapse = "s.days_to_relapse IS NOT NULL AND s.latest_total > %s"
        rows = self._query(
            False,
            f"CASE WHEN {relapse} THEN s.days_to_relapse ELSE s.days_responding END, "
            f"CASE WHEN {relapse} THEN 1 ELSE 0 END, COUNT(*)",
            f"({relapse}) OR s.response",
            "GROUP BY 1, 2",
            [self.cut, self.cut, self.cut],
        )
        happened = {day: n for day, event, n in rows if event}
        censored = {day: n for day, event, n in rows if not event}
        steps = kaplan_meier_counts(happened, censored)
        return {
            "responders": sum(happened.values()) + sum(censored.values()),
            "relapses": sum(happened.values()),
            "median_days": km_median(steps),
            "curve": [
                {"day": s.day, "at_risk": s.at_risk, "events": s.events, "censored": s.censored,
                 "survival": s.survival}
                for s in steps
            ],
        }  # fmt: skip


def _rates_row(
    protocol: str, route: str, counts: tuple[int, int, int, int, int], days: dict[int, int]
) -> dict[str, Any]:
    patients, measured, response, remission, ever = counts
    return {
        "protocol": protocol,
        "route": route,
        "patients": patients,
        "measured": measured,
        "response_now": response,
        "response_now_pct": Rate(response, measured).pct,
        "remission_now": remission,
        "remission_now_pct": Rate(remission, measured).pct,
        "ever_responded": ever,
        "ever_responded_pct": Rate(ever, measured).pct,
        "median_days_to_response": median_of_counts(days),
    }


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
