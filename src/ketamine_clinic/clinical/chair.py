"""At the chair: what is due now, the esketamine device spacing, and the discharge criteria.

Times are minutes since the first dose of the session (the clock the nurse sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ketamine_clinic.clinical.instruments import BUILTIN
from ketamine_clinic.clinical.protocols import ESKETAMINE_DEVICE_INTERVAL_MIN
from ketamine_clinic.clinical.vital_signs import (
    Reading,
    Thresholds,
    above,
    alerts,
    pre_dose_vitals,
)

# REMS (CLINICAL.md 1 and 2): observe for at least 2 hours after esketamine, and until
# sedation, dissociation and respiratory depression have resolved.
ESKETAMINE_MIN_OBSERVATION_MIN = 120
# MOAA/S 5 = responds readily to name spoken in a normal tone: fully alert (Chernik et al.,
# J Clin Psychopharmacol 1990); the label rates sedation on this scale.
MOAAS_ALERT = 5
# The last vitals before discharge must be recent enough to speak for the patient now.
DISCHARGE_VITALS_WITHIN_MIN = 30


@dataclass(frozen=True)
class Due:
    what: str
    at_min: int
    overdue: bool


def vitals_interval(route: str, infusing: bool, limits: Thresholds) -> int:
    if route == "iv" and infusing:
        return limits.infusion_vitals_every_min
    return limits.after_infusion_vitals_every_min


def due_now(
    route: str,
    now_min: float,
    infusing: bool,
    vitals_at_min: list[float],
    bp_at_min: list[float],
    limits: Thresholds,
) -> list[Due]:
    """What the nurse should do next, and whether it is late.

    Racemic ketamine: vitals every 10 minutes while the infusion runs and every 15 after it (or
    after an injection). Esketamine: blood pressure at about 40 minutes, then as needed."""
    result = []
    if route == "intranasal":
        target = limits.esketamine_bp_at_min
        taken = any(target - 5 <= t <= target + 10 for t in bp_at_min)
        if not taken:
            result.append(Due("blood pressure at 40 min", target, now_min > target + 10))
        return result
    last = max([t for t in vitals_at_min if t >= 0], default=0.0)
    next_at = last + vitals_interval(route, infusing, limits)
    result.append(Due("vitals", int(next_at), now_min > next_at))
    return result


def device_wait_s(previous_device_min: float | None, now_min: float) -> int:
    """Seconds until the next esketamine device may be given (0 = now): 5 minutes' rest
    between devices (Spravato label)."""
    if previous_device_min is None:
        return 0
    remaining = ESKETAMINE_DEVICE_INTERVAL_MIN - (now_min - previous_device_min)
    return max(0, int(remaining * 60 + 0.999))


# The scales rated at the chair, by the instrument that defines each (instruments/builtin.py):
# their ranges are the instruments' totals, never a second copy of the numbers.
CHAIR_SCALES = {"moaas": "moaas", "cadss": "cadss", "bprs_plus": "bprs_positive"}


def observation_ranges() -> dict[str, tuple[int, int]]:
    """Each chair scale's lowest and highest total: MOAA/S 0-5, CADSS 0-92, BPRS+ 4-28."""
    return {
        scale: (BUILTIN[instrument].total_min, BUILTIN[instrument].total_max)
        for scale, instrument in CHAIR_SCALES.items()
    }


@dataclass(frozen=True)
class PumpEvent:
    """One entry of an infusion: started, paused, resumed, re-rated or stopped, at a minute."""

    action: str  # iv_start, iv_pause, iv_resume, iv_rate, iv_stop
    at_min: Decimal
    rate_ml_per_h: Decimal | None = None


# What the pump delivered and what the nurse records may differ by rounding of the rate and
# of the minute; beyond this the nurse says why (the pump's own volume-infused reading).
INFUSED_TOLERANCE = (Decimal("1"), Decimal("0.05"))  # mg, fraction of the ordered dose


def infused_ml(events: list[PumpEvent], until_min: Decimal) -> Decimal:
    """The volume the pump ran: each running stretch's rate x its time, to `until_min`."""
    total, rate, since = Decimal(0), Decimal(0), None
    for event in sorted(events, key=lambda e: e.at_min):
        if event.at_min > until_min:
            break
        if since is not None:
            total += rate * (event.at_min - since) / 60
            since = event.at_min
        if event.action in ("iv_start", "iv_resume"):
            since = event.at_min
        elif event.action in ("iv_pause", "iv_stop"):
            since = None
        if event.rate_ml_per_h is not None:
            rate = event.rate_ml_per_h
    if since is not None:
        total += rate * (until_min - since) / 60
    return total


def infused_mg(
    events: list[PumpEvent], until_min: Decimal, mg_per_ml: Decimal, bag_mg: Decimal
) -> Decimal:
    """Milligrams infused: the volume run x the bag's concentration, never more than the bag
    holds (the pump stops when it is empty)."""
    return min(infused_ml(events, until_min) * mg_per_ml, bag_mg).quantize(Decimal("0.01"))


def infused_mismatch(recorded: Decimal, computed: Decimal, ordered: Decimal) -> bool:
    """Whether the recorded amount is further from the pump's than rounding explains."""
    absolute, fraction = INFUSED_TOLERANCE
    return abs(recorded - computed) > max(absolute, ordered * fraction)


@dataclass(frozen=True)
class DischargeFacts:
    product: str
    minutes_since_first_dose: float
    minutes_since_last_dose: float
    dosing_complete: bool
    latest_moaas: int | None
    dissociation_resolved: bool
    open_adverse_events: tuple[str, ...]
    latest_vitals: Reading | None
    minutes_since_latest_vitals: float | None
    responsible_adult: bool
    vitals_override: bool = False  # a prescriber documented the decision to let them go


VITALS_NOT_IN_RANGE = "vitals not in range before leaving"


def out_of_range(reading: Reading, product: str, limits: Thresholds) -> list[str]:
    """What in the last reading is outside the limits a dose would be given at: REMS asks
    whether vitals were in range before leaving (CLINICAL.md 2), and the same limits that hold
    a dose (Thresholds) say what in range means. Each parameter is named once."""
    found = {a.split(" ")[0]: a for a in alerts(reading, limits)}
    systolic, diastolic = reading.systolic_mmhg, reading.diastolic_mmhg
    if systolic is not None and diastolic is not None and "systolic" not in found:
        hold = (
            limits.esketamine_hold_mmhg
            if product == "esketamine_nasal"
            else limits.racemic_hold_mmhg
        )
        if above((systolic, diastolic), hold):
            found.setdefault(
                "diastolic", f"{systolic}/{diastolic} mmHg is above {hold[0]}/{hold[1]}"
            )
    stop, hold_ = pre_dose_vitals(
        reading.heart_rate_bpm, reading.spo2_pct, reading.respiratory_rate_per_min, limits
    )
    for problem in stop + hold_:  # "heart rate ...", "SpO2 ...", "respiratory rate ..."
        found.setdefault(problem.split(" ")[0], problem.rsplit(":", 1)[0])
    return list(found.values())


def discharge_problems(facts: DischargeFacts, limits: Thresholds) -> list[str]:
    """What still stands between the patient and going home; empty when discharge may go
    ahead (a nurse still decides)."""
    problems = []
    if not facts.dosing_complete:
        problems.append("dosing is not finished")
    if facts.product == "esketamine_nasal":
        if facts.minutes_since_first_dose < ESKETAMINE_MIN_OBSERVATION_MIN:
            left = ESKETAMINE_MIN_OBSERVATION_MIN - facts.minutes_since_first_dose
            problems.append(
                f"REMS: at least {ESKETAMINE_MIN_OBSERVATION_MIN} minutes of observation "
                f"({int(left + 0.999)} min to go)"
            )
    elif facts.minutes_since_last_dose < limits.racemic_min_observation_after_dose_min:
        left = limits.racemic_min_observation_after_dose_min - facts.minutes_since_last_dose
        problems.append(
            f"the clinic's {limits.racemic_min_observation_after_dose_min} minutes of "
            f"observation after the dose ({int(left + 0.999)} min to go)"
        )
    if facts.latest_moaas != MOAAS_ALERT:
        shown = "not rated" if facts.latest_moaas is None else f"{facts.latest_moaas}"
        problems.append(f"not yet alert and oriented (MOAA/S {shown}; needs {MOAAS_ALERT})")
    if not facts.dissociation_resolved:
        problems.append("dissociation has not been recorded as resolved")
    if facts.open_adverse_events:
        problems.append(f"unresolved adverse events: {', '.join(facts.open_adverse_events)}")
    if facts.latest_vitals is None or facts.minutes_since_latest_vitals is None:
        problems.append("no vitals recorded after the dose")
    else:
        if facts.minutes_since_latest_vitals > DISCHARGE_VITALS_WITHIN_MIN:
            problems.append(
                f"the latest vitals are {int(facts.minutes_since_latest_vitals)} min old: "
                f"take them again (within {DISCHARGE_VITALS_WITHIN_MIN} min of leaving)"
            )
        out = out_of_range(facts.latest_vitals, facts.product, limits)
        if out and not facts.vitals_override:
            problems.append(
                f"{VITALS_NOT_IN_RANGE}: {'; '.join(out)} (take them again, or a prescriber "
                "decides with a reason)"
            )
    if not facts.responsible_adult:
        problems.append("no responsible adult recorded to take the patient home")
    return problems
