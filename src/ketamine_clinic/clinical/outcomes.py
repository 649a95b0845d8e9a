"""Outcome classification over a patient's scores on one instrument.

Definitions (CLINICAL.md section 4): response = a fall of at least 50% from baseline;
remission = a score at or below the instrument's threshold (clinic-configurable); relapse =
loss of response after a response. Baseline = the administration marked baseline (context
"baseline"), else the last one before the first treatment.

Scores taken right after a dose (contexts "post_dose" and "4h") show the acute effect of
that dose; they are reported as dose responses and do not decide the sustained status,
which is read from everything else (24h, weekly, pre-dose, ad hoc).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

RESPONSE_FALL = 0.5  # >= 50% fall from baseline (CLINICAL.md 4; Murrough 2013; Sanacora 2017)
ACUTE_CONTEXTS = frozenset({"post_dose", "4h"})
DOSE_FOLLOW_UP_CONTEXTS = ("post_dose", "4h", "24h")
# A pre-dose score belongs to the same dose as a follow-up taken within this window: the
# 24-hour score may come a few hours late, and doses are at least 48 hours apart
# (protocols.py), so 36 hours never reaches back to the previous dose.
SAME_DOSE_WINDOW = timedelta(hours=36)

Status = Literal["no_data", "no_baseline", "no_response", "response", "remission", "relapse"]


@dataclass(frozen=True)
class Point:
    at: datetime
    total: int
    context: str

    @property
    def marked_baseline(self) -> bool:
        return self.context == "baseline"


@dataclass(frozen=True)
class DoseResponse:
    context: str
    pre_dose_at: datetime
    pre_dose_total: int
    after_at: datetime
    after_total: int
    pct_change: float | None
    response: bool


@dataclass(frozen=True)
class Outcome:
    status: Status
    baseline: Point | None
    latest: Point | None
    change: int | None = None
    pct_change: float | None = None
    response: bool = False
    remission: bool = False
    first_response_at: datetime | None = None
    days_to_first_response: int | None = None
    response_lasted_days: int | None = None
    relapse_at: datetime | None = None
    dose_responses: list[DoseResponse] = field(default_factory=list)


def pct_change(baseline: int, total: int) -> float | None:
    """Percent change from baseline (negative = better); undefined for a baseline of 0."""
    if baseline == 0:
        return None
    return round((total - baseline) * 100 / baseline, 1)


def is_response(baseline: int, total: int) -> bool:
    return baseline > 0 and (baseline - total) >= RESPONSE_FALL * baseline


def choose_baseline(points: list[Point], first_treatment_at: datetime | None) -> Point | None:
    ordered = sorted(points, key=lambda p: p.at)
    marked = [p for p in ordered if p.marked_baseline]
    if marked:
        if first_treatment_at is not None:
            before = [p for p in marked if p.at <= first_treatment_at]
            if before:
                return before[-1]
        return marked[-1]
    if first_treatment_at is None:
        return None
    before = [p for p in ordered if p.at < first_treatment_at]
    return before[-1] if before else None


def dose_responses(points: list[Point]) -> list[DoseResponse]:
    """Pair each post-dose, 4-hour and 24-hour score with the pre-dose score of that dose."""
    ordered = sorted(points, key=lambda p: p.at)
    pre_doses = [p for p in ordered if p.context == "pre_dose"]
    result = []
    for after in ordered:
        if after.context not in DOSE_FOLLOW_UP_CONTEXTS:
            continue
        candidates = [p for p in pre_doses if after.at - SAME_DOSE_WINDOW <= p.at <= after.at]
        if not candidates:
            continue
        pre = candidates[-1]
        result.append(
            DoseResponse(
                context=after.context,
                pre_dose_at=pre.at,
                pre_dose_total=pre.total,
                after_at=after.at,
                after_total=after.total,
                pct_change=pct_change(pre.total, after.total),
                response=is_response(pre.total, after.total),
            )
        )
    return result


def classify(
    points: list[Point], remission_at_most: int | None, first_treatment_at: datetime | None = None
) -> Outcome:
    """The patient's status on one outcome instrument, from all their scores on it.

    `remission_at_most` None judges no remission: the outcome summary stores what does not
    depend on the clinic's cut-off, and the report applies the cut-off itself."""
    if not points:
        return Outcome("no_data", None, None)
    doses = dose_responses(points)
    baseline = choose_baseline(points, first_treatment_at)
    sustained = sorted((p for p in points if p.context not in ACUTE_CONTEXTS), key=lambda p: p.at)
    if baseline is None:
        latest = sustained[-1] if sustained else None
        return Outcome("no_baseline", None, latest, dose_responses=doses)
    follow_up = [p for p in sustained if p.at > baseline.at]
    if not follow_up:
        return Outcome("no_response", baseline, baseline, dose_responses=doses)

    first_response: Point | None = None
    run_start: Point | None = None
    relapse_at: datetime | None = None
    for point in follow_up:
        responding = is_response(baseline.total, point.total)
        if responding:
            first_response = first_response or point
            run_start = run_start or point
        else:
            if first_response is not None and run_start is not None:
                relapse_at = point.at
            run_start = None
    latest = follow_up[-1]
    response = is_response(baseline.total, latest.total)
    remission = remission_at_most is not None and latest.total <= remission_at_most
    if remission:
        status: Status = "remission"
    elif response:
        status = "response"
    elif first_response is not None:
        status = "relapse"
    else:
        status = "no_response"
    reference = first_treatment_at or baseline.at
    return Outcome(
        status=status,
        baseline=baseline,
        latest=latest,
        change=latest.total - baseline.total,
        pct_change=pct_change(baseline.total, latest.total),
        response=response,
        remission=remission,
        first_response_at=first_response.at if first_response else None,
        days_to_first_response=(first_response.at - reference).days if first_response else None,
        response_lasted_days=(latest.at - run_start.at).days if run_start and response else None,
        relapse_at=relapse_at if status == "relapse" else None,
        dose_responses=doses,
    )


def severe_worsening(
    previous_total: int, total: int, worsening_points: int | None, top_band_low: int | None
) -> bool:
    """A rise of at least the instrument's clinically significant change, into its top band."""
    if worsening_points is None or top_band_low is None:
        return False
    return total - previous_total >= worsening_points and total >= top_band_low


def measurement_due(last_at: datetime | None, now: datetime, interval: timedelta) -> bool:
    return last_at is None or now - last_at >= interval
