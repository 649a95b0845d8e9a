"""Dosing weight: which weight a weight-based dose is computed from, and how.

Each protocol names its policy. The depression trials behind the racemic protocols dosed on
actual body weight (Murrough 2013; Sanacora 2017), and in obesity a dose on actual weight can
be far above what those trials gave; so a clinic may dose on ideal or adjusted body weight, or
cap the actual weight. Every policy gives a weight no higher than the actual one: a dosing
weight never raises a dose above what the scale gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ketamine_clinic.clinical.rule_error import RuleError
from ketamine_clinic.clinical.units import Kg

Policy = Literal["actual", "ideal", "adjusted", "actual_capped"]
POLICIES: dict[str, str] = {
    "actual": "actual body weight",
    "ideal": "ideal body weight (Devine)",
    "adjusted": "adjusted body weight (ideal + 0.4 x excess)",
    "actual_capped": "actual body weight, capped",
}

# Devine BJ. Gentamicin therapy. Drug Intell Clin Pharm 1974;8:650-655: ideal body weight is
# 50 kg (men) or 45.5 kg (women) plus 2.3 kg for every inch of height over 5 feet.
DEVINE_BASE_KG = {"male": Decimal("50"), "female": Decimal("45.5")}
DEVINE_KG_PER_INCH = Decimal("2.3")
DEVINE_FROM_INCHES = Decimal("60")
CM_PER_INCH = Decimal("2.54")
# Adjusted body weight = IBW + 0.4 x (actual - IBW): the correction factor of the obesity
# dosing literature (Traynor AM et al., Antimicrob Agents Chemother 1995;39:545; Bauer LA,
# Applied Clinical Pharmacokinetics, 3rd ed. 2014, ch. 4).
ADJUSTED_FACTOR = Decimal("0.4")
# Devine's formula is linear in height and was made for adults of about 5 feet and over; below
# that it falls fast (Pai MP, Paloucek FP, Ann Pharmacother 2000;34:1066). Where it gives less
# than the calculator's adult floor of 30 kg the height is outside what it describes, and the
# dose is not computed from it.
MIN_IDEAL_KG = Decimal("30")


class DosingWeightError(RuleError):
    """A dosing weight that cannot be computed (no height, say); `field` names what is missing."""


@dataclass(frozen=True)
class DosingWeight:
    weight: Kg
    policy: str
    why: str  # shown on the screen: which weight was used and why


def ideal_body_weight(height_cm: Decimal, sex: str) -> tuple[Kg, str]:
    """Devine's ideal body weight. With no male or female sex recorded, the women's formula:
    the lower of the two, so the dose is never raised by a guess."""
    base = DEVINE_BASE_KG.get(sex, DEVINE_BASE_KG["female"])
    inches = height_cm / CM_PER_INCH
    ibw = base + DEVINE_KG_PER_INCH * (inches - DEVINE_FROM_INCHES)
    if ibw < MIN_IDEAL_KG:
        raise DosingWeightError(
            "height_cm",
            f"{height_cm.normalize():f} cm is too short for Devine's ideal body weight: dose "
            "on a protocol that uses actual body weight",
        )
    which = "men" if sex == "male" else "women"
    note = "" if sex in DEVINE_BASE_KG else " (no male or female sex recorded: the lower formula)"
    formula = f"{_n(base)} + 2.3 x ({_n(height_cm)} cm / 2.54 - 60 in), Devine {which}{note}"
    return Kg(ibw.quantize(Decimal("0.1"))), formula


def dosing_weight(
    policy: str,
    actual: Kg,
    *,
    height_cm: Decimal | None,
    sex: str,
    cap_kg: Decimal | None = None,
) -> DosingWeight:
    """The weight to dose on, never above the actual weight, with the reason in words."""
    if policy not in POLICIES:
        raise DosingWeightError("dosing_weight", f"must be one of {', '.join(POLICIES)}")
    if policy == "actual":
        return DosingWeight(actual, policy, f"actual body weight {actual}")
    if policy == "actual_capped":
        if cap_kg is None or cap_kg <= 0:
            raise DosingWeightError("dosing_weight_cap_kg", "a capped weight needs its cap in kg")
        if actual.value <= cap_kg:
            return DosingWeight(actual, policy, f"actual body weight {actual} (cap {cap_kg} kg)")
        return DosingWeight(
            Kg(cap_kg), policy, f"actual body weight {actual} capped at {cap_kg} kg"
        )
    if height_cm is None:
        raise DosingWeightError(
            "height_cm", f"the protocol doses on {POLICIES[policy]}: record the height first"
        )
    ibw, formula = ideal_body_weight(height_cm, sex)
    if actual.value <= ibw.value:
        return DosingWeight(
            actual, policy, f"actual body weight {actual}: at or below the ideal {ibw} ({formula})"
        )
    if policy == "ideal":
        return DosingWeight(ibw, policy, f"ideal body weight {ibw} = {formula}")
    excess = actual.value - ibw.value
    adjusted = Kg((ibw.value + ADJUSTED_FACTOR * excess).quantize(Decimal("0.1")))
    return DosingWeight(
        adjusted,
        policy,
        f"adjusted body weight {adjusted} = {_n(ibw.value)} + 0.4 x ({_n(actual.value)} - "
        f"{_n(ibw.value)}); ideal {ibw} = {formula}",
    )


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"
