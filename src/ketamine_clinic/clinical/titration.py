"""Titration suggestions: decision support for the prescriber, never a change by itself.

From the course (protocol, phase, doses given, the current signed order), the patient's
outcome on their primary rating scale, and how the dose is tolerated, suggest what a
prescriber should consider. Every suggestion names its source. The prescriber accepts or
dismisses it with a note; an accepted dose change is still a new order that they sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from ketamine_clinic.clinical.outcomes import Status
from ketamine_clinic.clinical.protocols import Protocol

# "No response after 4 infusions at 0.5 mg/kg -> consider 0.75 mg/kg" (issue #5): responders
# to IV ketamine mostly respond within the first few infusions (Murrough et al., Biol
# Psychiatry 2013: response at 4 h predicted later response), and doses up to 0.75 mg/kg help
# some who do not respond to 0.5 (Andrade, J Clin Psychiatry 2017; ASKP3 escalation).
DOSES_BEFORE_ESCALATION = 4
ESCALATION_STEP_MG_PER_KG = Decimal("0.25")
# Spravato label: "evaluate therapeutic benefit at the end of the induction phase"; from week 9
# dose every 2 weeks or weekly, "the least frequent dosing to maintain remission/response".
ESKETAMINE_WEEK_9_DAY = 56
ESKETAMINE_INDUCTION_DAYS = 28

MURROUGH_ANDRADE = (
    "Murrough et al., Biol Psychiatry 2013;74:250; Andrade, J Clin Psychiatry 2017 "
    "(0.1-0.75 mg/kg, dose to response); ASKP3 standards (escalation possible)"
)
SPRAVATO_INDUCTION = "Spravato US label 2.2: evaluate benefit at the end of induction (week 4)"
SPRAVATO_DOSE = "Spravato US label 2.2: 56 or 84 mg, adjusted for efficacy and tolerability"
SPRAVATO_FREQUENCY = (
    "Spravato US label 2.2: from week 9, every 2 weeks or weekly, the least frequent dosing "
    "that maintains remission or response"
)
MAINTENANCE_PLAN = (
    "Maintenance plan of the protocol (weekly, then every 2 weeks, then as needed); "
    "maintenance is individual: dose before the effect wears off (CLINICAL.md 3)"
)
INDUCTION_DONE = (
    "Murrough et al., Biol Psychiatry 2013: six infusions, then median 18 days to relapse; "
    "maintenance is individual (CLINICAL.md 3)"
)
RELAPSE = "Murrough et al., Biol Psychiatry 2013 (median time to relapse 18 days); CLINICAL.md 4"
TOLERABILITY = "Dose to tolerability: protocol range and label (CLINICAL.md 1 and 3)"

ESTIMATE = (
    "Decision support, not a decision: it reads the recorded scores and doses and may be "
    "wrong. Check the chart and decide."
)

OutcomeStatus = Status  # clinical/outcomes.py


@dataclass(frozen=True)
class OutcomeFacts:
    instrument: str
    status: OutcomeStatus
    baseline_total: int | None
    latest_total: int | None
    remission_held: bool  # the last two scores after baseline were both in remission
    relapse_on: date | None = None


@dataclass(frozen=True)
class CourseFacts:
    protocol: Protocol
    phase: str
    days_since_start: int
    doses_given: int
    order_id: str | None  # the current signed order
    doses_at_current: int  # doses given since the current order was signed
    current_mg_per_kg: Decimal | None = None
    current_mg: int | None = None
    outcome: OutcomeFacts | None = None
    poorly_tolerated: str | None = None  # why, when sessions record the dose as poorly tolerated


@dataclass(frozen=True)
class Suggestion:
    rule: str
    situation: str  # what it is about: a decision on it holds until this changes
    kind: Literal["dose", "frequency", "review"]
    title: str
    detail: str
    source: str
    proposed_mg_per_kg: Decimal | None = None
    proposed_mg: int | None = None
    estimate: str = ESTIMATE


def _tidy(value: Decimal) -> Decimal:
    """0.750 from the database reads as 0.75 (and 1.000 as 1), to the mg/kg's 3 places."""
    return value.quantize(Decimal("0.001")).normalize()


def _outcome_text(outcome: OutcomeFacts) -> str:
    return f"{outcome.instrument} {outcome.baseline_total} at baseline, {outcome.latest_total} now"


def _no_response(facts: CourseFacts) -> bool:
    return facts.outcome is not None and facts.outcome.status == "no_response"


def _escalation(facts: CourseFacts) -> list[Suggestion]:
    protocol, outcome = facts.protocol, facts.outcome
    if (
        not protocol.weight_based
        or facts.current_mg_per_kg is None
        or facts.doses_at_current < DOSES_BEFORE_ESCALATION
        or not _no_response(facts)
        or facts.poorly_tolerated
        or outcome is None
    ):
        return []
    situation = f"order:{facts.order_id}"
    maximum = protocol.max_mg_per_kg
    given = f"{facts.doses_at_current} doses at {_tidy(facts.current_mg_per_kg)} mg/kg"
    if maximum is not None and facts.current_mg_per_kg >= maximum:
        return [
            Suggestion(
                rule="no-response-at-maximum",
                situation=situation,
                kind="review",
                title="No response at the protocol's maximum dose",
                detail=(
                    f"{given} without response ({_outcome_text(outcome)}). Review whether "
                    "to continue; a dose above the protocol's maximum needs an override "
                    "with a reason."
                ),
                source=MURROUGH_ANDRADE,
            )
        ]
    proposed = facts.current_mg_per_kg + ESCALATION_STEP_MG_PER_KG
    if maximum is not None:
        proposed = min(proposed, maximum)
    proposed = _tidy(proposed)
    return [
        Suggestion(
            rule="no-response-escalate",
            situation=situation,
            kind="dose",
            title=f"Consider {proposed} mg/kg",
            detail=(
                f"{given} without a response ({_outcome_text(outcome)}). Some patients "
                "respond only at a higher dose; if the dose has been tolerated, "
                f"consider {proposed} mg/kg."
            ),
            source=MURROUGH_ANDRADE,
            proposed_mg_per_kg=proposed,
        )
    ]


def _esketamine(facts: CourseFacts) -> list[Suggestion]:
    protocol, outcome = facts.protocol, facts.outcome
    if protocol.route != "intranasal" or protocol.indication != "trd":
        return []
    result = []
    if (
        facts.current_mg == 56
        and 84 in protocol.doses_mg
        and facts.doses_at_current >= DOSES_BEFORE_ESCALATION
        and _no_response(facts)
        and not facts.poorly_tolerated
        and outcome is not None
    ):
        result.append(
            Suggestion(
                rule="esketamine-consider-84",
                situation=f"order:{facts.order_id}",
                kind="dose",
                title="Consider 84 mg",
                detail=(
                    f"{facts.doses_at_current} doses at 56 mg without a response "
                    f"({_outcome_text(outcome)}). If 56 mg has been tolerated, consider 84 mg."
                ),
                source=SPRAVATO_DOSE,
                proposed_mg=84,
            )
        )
    induction = protocol.phases[0].sessions or 0
    if facts.days_since_start >= ESKETAMINE_INDUCTION_DAYS or (
        induction and facts.doses_given >= induction
    ):
        status = _outcome_text(outcome) if outcome and outcome.baseline_total else "no scores"
        result.append(
            Suggestion(
                rule="esketamine-induction-review",
                situation="end-of-induction",
                kind="review",
                title="Review the benefit at the end of induction",
                detail=(
                    f"{facts.doses_given} doses over {facts.days_since_start} days ({status}). "
                    "Decide whether to continue treatment."
                ),
                source=SPRAVATO_INDUCTION,
            )
        )
    return result


def _maintenance(facts: CourseFacts) -> list[Suggestion]:
    """Racemic ketamine: the induction is given and the patient responds; plan maintenance
    before the effect wears off. (Esketamine has its end-of-induction review instead.)"""
    protocol, outcome = facts.protocol, facts.outcome
    if protocol.route == "intranasal" or len(protocol.phases) < 2:
        return []
    induction = protocol.phases[0]
    if facts.phase != induction.name or not induction.sessions:
        return []
    if facts.doses_given < induction.sessions:
        return []
    if outcome is None or outcome.status not in ("response", "remission"):
        return []
    return [
        Suggestion(
            rule="induction-complete-maintenance",
            situation="end-of-induction",
            kind="frequency",
            title="Consider moving to maintenance",
            detail=(
                f"The induction's {facts.doses_given} doses are given and the patient responds "
                f"({_outcome_text(outcome)}). Consider {protocol.phases[1].name} before the "
                "effect wears off."
            ),
            source=INDUCTION_DONE,
        )
    ]


def _frequency(facts: CourseFacts) -> list[Suggestion]:
    """Space doses out while remission holds; never when response has been lost."""
    protocol, outcome = facts.protocol, facts.outcome
    if outcome is None or not outcome.remission_held or outcome.status != "remission":
        return []
    names = [p.name for p in protocol.phases]
    if facts.phase not in names or names.index(facts.phase) == 0:
        return []  # induction: the course is not in maintenance yet
    index = names.index(facts.phase)
    if protocol.route == "intranasal":
        if facts.days_since_start < ESKETAMINE_WEEK_9_DAY:
            return []
        source, target = SPRAVATO_FREQUENCY, "every 2 weeks"
    else:
        if index + 1 >= len(protocol.phases):
            return []  # already as needed
        source, target = MAINTENANCE_PLAN, protocol.phases[index + 1].name
    return [
        Suggestion(
            rule="remission-reduce-frequency",
            situation=f"phase:{facts.phase}",
            kind="frequency",
            title="Consider dosing less often",
            detail=(
                f"Remission has held on the last two scores ({_outcome_text(outcome)}). "
                f"Consider moving from {facts.phase} to {target}, the least frequent dosing "
                "that keeps the remission."
            ),
            source=source,
        )
    ]


def _relapse(facts: CourseFacts) -> list[Suggestion]:
    outcome = facts.outcome
    if outcome is None or outcome.status != "relapse":
        return []
    since = outcome.relapse_on.isoformat() if outcome.relapse_on else "the latest score"
    return [
        Suggestion(
            rule="response-lost",
            situation=f"relapse:{since}",
            kind="review",
            title="Response lost",
            detail=(
                f"The response was lost (since {since}; {_outcome_text(outcome)}). Suggestions to "
                "dose less often are withdrawn. Review the plan: consider the previous frequency "
                "or dose, and re-evaluate."
            ),
            source=RELAPSE,
        )
    ]


def _tolerability(facts: CourseFacts) -> list[Suggestion]:
    protocol = facts.protocol
    if not facts.poorly_tolerated:
        return []
    proposed_kg: Decimal | None = None
    proposed_mg: int | None = None
    if protocol.weight_based and facts.current_mg_per_kg is not None:
        floor = protocol.min_mg_per_kg or ESCALATION_STEP_MG_PER_KG
        proposed_kg = max(floor, facts.current_mg_per_kg - ESCALATION_STEP_MG_PER_KG)
        if protocol.max_mg_per_kg is not None:  # an overridden dose comes back inside
            proposed_kg = min(proposed_kg, protocol.max_mg_per_kg)
        proposed_kg = _tidy(proposed_kg)
        if proposed_kg >= facts.current_mg_per_kg:
            proposed_kg = None
    elif facts.current_mg is not None:
        lower = [d for d in protocol.doses_mg if d < facts.current_mg]
        proposed_mg = max(lower) if lower else None
    what = (
        f"{proposed_kg} mg/kg"
        if proposed_kg
        else f"{proposed_mg} mg"
        if proposed_mg
        else "whether to continue"
    )
    return [
        Suggestion(
            rule="poorly-tolerated",
            situation=f"order:{facts.order_id}:tolerability",
            kind="dose" if proposed_kg or proposed_mg else "review",
            title=f"Poorly tolerated: consider {what}",
            detail=f"The current dose is recorded as poorly tolerated ({facts.poorly_tolerated}).",
            source=TOLERABILITY,
            proposed_mg_per_kg=proposed_kg,
            proposed_mg=proposed_mg,
        )
    ]


def suggest(facts: CourseFacts) -> list[Suggestion]:
    """Every suggestion that applies now, most urgent first."""
    if facts.order_id is None:
        return []  # nothing signed, nothing given: nothing to titrate
    return [
        *_tolerability(facts),
        *_relapse(facts),
        *_escalation(facts),
        *_esketamine(facts),
        *_maintenance(facts),
        *_frequency(facts),
    ]
