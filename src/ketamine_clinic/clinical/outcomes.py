"""Outcome classification over a patient's scores on one instrument.

Definitions, from the consensus definitions of Frank et al. (Arch Gen Psychiatry
1991;48:851) made operational as the ketamine and esketamine trials did:
- Baseline: the last score before the first dose (trials take it just before the first
  infusion, e.g. Murrough 2013). A score marked "baseline" after treatment began never
  replaces it; before any treatment, the last score marked baseline stands.
- Response: a fall of at least 50% from baseline (CLINICAL.md 4; Murrough 2013; Sanacora
  2017). Remission: a score at or below the instrument's cut-off (clinic-configurable). Both
  presuppose a depressed baseline: with a baseline at or below the remission cut-off neither
  is judged ("baseline_below_cutoff"), since a patient cannot remit from a remission.
- Relapse: the loss of response after a response, confirmed on two consecutive scores at
  least 5 days apart (SUSTAIN-1, Daly et al., JAMA Psychiatry 2019;76:893: two consecutive
  assessments 5-15 days apart). One score above the response level is a possible relapse,
  not yet a relapse.

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
# The PHQ-9 links handed over at discharge for the 4-hour and 24-hour scores (CLINICAL.md 3:
# response at 4 h predicts later response, Murrough 2013): each opens that long after the
# last dose and stays open for the given number of hours.
FOLLOW_UP_LINKS = {"4h": (timedelta(hours=4), 6), "24h": (timedelta(hours=24), 24)}
# A pre-dose score belongs to the same dose as a follow-up taken within this window: the
# 24-hour score may come a few hours late, and doses are at least 48 hours apart
# (protocols.py), so 36 hours never reaches back to the previous dose.
SAME_DOSE_WINDOW = timedelta(hours=36)

# Relapse needs the loss of response on two consecutive scores this far apart (SUSTAIN-1).
RELAPSE_CONFIRM = timedelta(days=5)

Status = Literal[
    "no_data",
    "no_baseline",
    "baseline_below_cutoff",
    "no_response",
    "response",
    "remission",
    "possible_relapse",
    "relapse",
]


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


def within_cutoff(total: int, remission_at_most: int | None) -> bool:
    """A score in remission: at or below the instrument's cut-off. No cut-off, no remission."""
    return remission_at_most is not None and total <= remission_at_most


def sustained_status(
    *, response: bool, remission: bool, relapsed: bool, ever_responded: bool
) -> Status:
    """The status of a judged patient (a depressed baseline and a later score). Remission
    outranks response, and a patient whose latest score is in remission has not relapsed."""
    if remission:
        return "remission"
    if response:
        return "response"
    if relapsed:
        return "relapse"
    if ever_responded:
        return "possible_relapse"
    return "no_response"


def choose_baseline(points: list[Point], first_treatment_at: datetime | None) -> Point | None:
    """The last score before the first dose (at its time, a pre-dose score counts); scores
    taken after a dose never do. Before any treatment, the last score marked baseline."""
    ordered = sorted(points, key=lambda p: p.at)
    if first_treatment_at is None:
        marked = [p for p in ordered if p.marked_baseline]
        return marked[-1] if marked else None
    before = [
        p
        for p in ordered
        if p.at <= first_treatment_at and p.context not in DOSE_FOLLOW_UP_CONTEXTS
    ]
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
    if within_cutoff(baseline.total, remission_at_most):
        latest = follow_up[-1] if follow_up else baseline
        return Outcome("baseline_below_cutoff", baseline, latest, dose_responses=doses)
    if not follow_up:
        return Outcome("no_response", baseline, baseline, dose_responses=doses)

    first_response: Point | None = None
    run_start: Point | None = None
    losing: list[Point] = []  # scores since the response was last held
    relapse_at: datetime | None = None
    for point in follow_up:
        if is_response(baseline.total, point.total):
            first_response = first_response or point
            run_start = run_start or point
            losing = []
        elif first_response is not None:
            losing.append(point)
            confirmed = len(losing) >= 2 and losing[-1].at - losing[0].at >= RELAPSE_CONFIRM
            if confirmed and run_start is not None:
                relapse_at, run_start = losing[0].at, None
    latest = follow_up[-1]
    response = is_response(baseline.total, latest.total)
    remission = within_cutoff(latest.total, remission_at_most)
    status = sustained_status(
        response=response,
        remission=remission,
        relapsed=run_start is None and relapse_at is not None,
        ever_responded=first_response is not None,
    )
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
