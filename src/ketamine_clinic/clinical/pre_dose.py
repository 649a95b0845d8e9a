"""Pre-dose checks: what must be true before the first dose, and which gaps a prescriber may
override with a reason. The treatment gate (evaluation, consent, REMS enrolment) is checked
by the caller; these are the checks at the chair that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ketamine_clinic.clinical.dosing import weekly_problem
from ketamine_clinic.clinical.repeated_dosing import urinary_warnings
from ketamine_clinic.clinical.units import Mg
from ketamine_clinic.clinical.vital_signs import Thresholds, pre_dose_bp, pre_dose_vitals

# Spravato label 2.1: no food for at least 2 hours and no liquids for at least 30 minutes
# before dosing; a nasal corticosteroid or decongestant at least 1 hour before.
ESKETAMINE_NO_FOOD = timedelta(hours=2)
ESKETAMINE_NO_LIQUIDS = timedelta(minutes=30)
ESKETAMINE_NASAL_SPRAY_BEFORE = timedelta(hours=1)
# Pregnancy status is established for everyone aged 12 to 55 (a conservative span of
# reproductive age), whatever sex is recorded: a recorded sex does not say whether a person
# can be pregnant. Pregnancy is a precaution in every label and list (CLINICAL.md 1 and 3).
# "Not applicable" is the nurse's answer that pregnancy is not possible; "unknown" blocks.
PREGNANCY_AGES = (12, 55)


@dataclass(frozen=True)
class ChairChecks:
    product: str
    now: datetime
    identity_confirmed: bool
    ride_home: bool
    last_food_at: datetime | None
    last_liquid_at: datetime | None
    nasal_spray_at: datetime | None
    pregnancy: str  # not_applicable, not_pregnant, pregnant, unknown
    pregnancy_relevant: bool
    pre_dose_phq9: bool
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    heart_rate_bpm: int | None
    spo2_pct: int | None
    respiratory_rate_per_min: int | None
    # The dose rules again at the chair (the order was checked when it was signed; days pass).
    days_since_last_dose: int | None = None  # same drug, another session
    min_days_apart: int = 0  # the course's phase (scheduling.min_days_apart)
    week_given_mg: Decimal = Decimal(0)  # same drug, the 7 days before now
    dose_mg: Decimal = Decimal(0)  # this session's ordered dose
    weekly_limit_mg: Decimal | None = None
    weight_age_days: int | None = None  # weight-based products: the weight dosed on
    weight_max_age_days: int | None = None
    # Signs of intoxication today (alcohol or drugs): no dosing. Ketamine with other CNS
    # depressants deepens sedation and respiratory depression (Spravato US label 7; Ketalar
    # label), and intoxication clouds consent and the monitoring (APA consensus, Sanacora 2017).
    intoxicated: bool = False
    # Urinary and bladder symptoms today: "none", "present", or "" (not asked).
    urinary_symptoms: str = ""


@dataclass(frozen=True)
class Verdict:
    blocking: tuple[str, ...]  # no dosing until fixed; no override
    overridable: tuple[str, ...]  # a prescriber may override with a written reason
    warnings: tuple[str, ...] = ()  # shown; nothing to override

    @property
    def clear(self) -> bool:
        return not self.blocking and not self.overridable


def pregnancy_relevant(age_years: int) -> bool:
    low, high = PREGNANCY_AGES
    return low <= age_years <= high


def _since(then: datetime | None, now: datetime) -> timedelta | None:
    return None if then is None else now - then


def check(facts: ChairChecks, limits: Thresholds) -> Verdict:
    blocking: list[str] = []
    overridable: list[str] = []
    warnings: list[str] = []
    if not facts.identity_confirmed:
        blocking.append("identity not confirmed")
    if not facts.ride_home:
        blocking.append("no ride home arranged (no driving until the next day)")
    if not facts.pre_dose_phq9:
        blocking.append("no pre-dose PHQ-9 today")
    missing = [
        name
        for name, value in (
            ("blood pressure", facts.systolic_mmhg),
            ("heart rate", facts.heart_rate_bpm),
            ("SpO2", facts.spo2_pct),
            ("respiratory rate", facts.respiratory_rate_per_min),
        )
        if value is None
    ]
    if missing:
        blocking.append(f"pre-dose vitals missing: {', '.join(missing)}")
    if facts.systolic_mmhg is not None and facts.diastolic_mmhg is not None:
        bp = pre_dose_bp(facts.systolic_mmhg, facts.diastolic_mmhg, facts.product, limits)
        if bp.verdict == "no_dosing":
            blocking.append(bp.message)
        elif bp.verdict == "hold":
            overridable.append(bp.message)
        elif bp.verdict == "warn":
            warnings.append(bp.message)
    stop, hold = pre_dose_vitals(
        facts.heart_rate_bpm, facts.spo2_pct, facts.respiratory_rate_per_min, limits
    )
    blocking += stop
    overridable += hold
    if facts.intoxicated:
        blocking.append("signs of intoxication today: no dosing")
    warnings += urinary_warnings(facts.urinary_symptoms)
    if facts.pregnancy_relevant:
        if facts.pregnancy == "unknown":
            blocking.append("pregnancy status not established")
        elif facts.pregnancy == "pregnant":
            overridable.append("the patient is pregnant")
    if facts.product == "esketamine_nasal":
        food = _since(facts.last_food_at, facts.now)
        liquid = _since(facts.last_liquid_at, facts.now)
        spray = _since(facts.nasal_spray_at, facts.now)
        if food is None or food < ESKETAMINE_NO_FOOD:
            overridable.append("food within 2 hours of dosing (or not recorded)")
        if liquid is None or liquid < ESKETAMINE_NO_LIQUIDS:
            overridable.append("liquids within 30 minutes of dosing (or not recorded)")
        if spray is not None and spray < ESKETAMINE_NASAL_SPRAY_BEFORE:
            overridable.append("a nasal steroid or decongestant less than 1 hour ago")
    blocking += _interval(facts)
    overridable += _week_and_weight(facts)
    return Verdict(tuple(blocking), tuple(overridable), tuple(warnings))


def _interval(facts: ChairChecks) -> list[str]:
    """Too soon after the last dose: the protocol's spacing (for esketamine the label's
    schedule, CLINICAL.md 1) is a minimum, and no override shortens it."""
    days = facts.days_since_last_dose
    if days is None or days >= facts.min_days_apart:
        return []
    return [
        f"the last dose was {days} day{'s' if days != 1 else ''} ago: this phase needs at "
        f"least {facts.min_days_apart} days between doses"
    ]


def _week_and_weight(facts: ChairChecks) -> list[str]:
    found = weekly_problem(facts.weekly_limit_mg, facts.week_given_mg, Mg(facts.dose_mg))
    age, most = facts.weight_age_days, facts.weight_max_age_days
    if age is not None and most is not None and age > most:
        found.append(f"the weight is {age} days old (the protocol allows {most}): weigh again")
    return found
