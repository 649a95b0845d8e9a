"""The decision: every rule, the clinic's severities (tightened, never relaxed) and the
prescriber's overrides of relative contraindications."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache

from ketamine_clinic.clinical import interactions
from ketamine_clinic.clinical.eligibility.contraindications import (
    rule_age,
    rule_blood_pressure,
    rule_cardiovascular,
    rule_current_psychiatric_state,
    rule_diagnosis,
    rule_hepatic,
    rule_hypersensitivity,
    rule_interactions,
    rule_intracranial_pressure,
    rule_pregnancy,
    rule_psychosis,
    rule_substance_use,
    rule_vascular,
)
from ketamine_clinic.clinical.eligibility.facts import (
    OVERRIDE_BASES,
    SEVERITY_ORDER,
    Decision,
    Facts,
    LabelRegion,
    OverrideRefused,
    Product,
    Reason,
    Result,
    Settings,
    Severity,
    TrdAssessment,
    Trial,
)
from ketamine_clinic.clinical.eligibility.resistance import (
    counted_trials,
    maudsley,
    rule_treatment_resistance,
)

RULES: tuple[Callable[[Facts, Settings], list[Reason]], ...] = (
    rule_treatment_resistance,
    rule_diagnosis,
    rule_vascular,
    rule_hypersensitivity,
    rule_cardiovascular,
    rule_blood_pressure,
    rule_psychosis,
    rule_current_psychiatric_state,
    rule_substance_use,
    rule_pregnancy,
    rule_hepatic,
    rule_intracranial_pressure,
    rule_interactions,
    rule_age,
)


# What each rule looks at, in the words an evaluation shows when it finds nothing.
CHECKS: dict[Callable[[Facts, Settings], list[Reason]], str] = {
    rule_treatment_resistance: "treatment resistance (failed adequate trials)",
    rule_diagnosis: "diagnosis and indication",
    rule_vascular: "aneurysmal vascular disease, arteriovenous malformation, brain haemorrhage",
    rule_hypersensitivity: "hypersensitivity to ketamine or esketamine",
    rule_cardiovascular: "recent cardiovascular event, unstable heart or lung disease",
    rule_blood_pressure: "baseline blood pressure",
    rule_psychosis: "history of psychosis",
    rule_current_psychiatric_state: "psychosis or mania now",
    rule_substance_use: "substance use, ketamine misuse, urine toxicology",
    rule_pregnancy: "pregnancy and breastfeeding",
    rule_hepatic: "liver function",
    rule_intracranial_pressure: "raised intracranial pressure",
    rule_interactions: "interactions with the chart's medicines",
    rule_age: "age",
}


@dataclass(frozen=True)
class Check:
    what: str
    sources: tuple[str, ...]


@cache
def checked(product: Product, label_region: LabelRegion = "US") -> tuple[Check, ...]:
    """What the rules check for this product, each with the sources it would cite: found by
    running every rule on facts where everything is wrong, so the list cannot drift from the
    rules themselves."""
    wrong = _everything_wrong(product, label_region)
    return tuple(
        Check(CHECKS[rule], tuple(sorted({r.source for f in wrong for r in rule(f, Settings())})))
        for rule in RULES
    )


def _apply_clinic_severity(reason: Reason, settings: Settings) -> Reason:
    wanted = settings.severity_overrides.get(reason.code)
    if wanted is None or SEVERITY_ORDER[wanted] <= SEVERITY_ORDER[reason.severity]:
        return reason  # a clinic tightens a rule, never relaxes it
    return replace(reason, severity=wanted)


def _everything_wrong(product: Product, label_region: LabelRegion) -> list[Facts]:
    """Facts that set off every rule's every branch for one product and label: each
    indication, diagnosis and age, and a raised and a very high blood pressure."""
    everything = Facts(
        product=product,
        indication="trd",
        diagnosis="mdd",
        age_years=12,
        episode_months=6,
        episode_severity="severe_psychotic",
        trials=(Trial("antidepressant", "x", None, None, "no_response"),),
        psychosis_history=True,
        current_psychosis=True,
        current_mania=True,
        ketamine_misuse=True,
        substance_use="active",
        urine_tox_positive=True,
        aneurysmal_vascular_disease=True,
        arteriovenous_malformation=True,
        intracerebral_haemorrhage=True,
        cardiovascular_event_weeks_ago=1,
        unstable_cardiorespiratory=True,
        raised_intracranial_pressure=True,
        hepatic_impairment="severe",
        pregnant=True,
        breastfeeding=True,
        hypersensitivity=True,
        medication_classes=frozenset(interactions.CLASSES),
        label_region=label_region,
    )
    variants = [
        replace(everything, indication=i, diagnosis=d, age_years=a)
        for i in ("trd", "mdsi", "off_label")
        for d in ("mdd", "bipolar_depression", "mdd_with_si", "other")
        for a in (12, 70)
    ]
    variants += [
        replace(everything, systolic_mmhg=s, diastolic_mmhg=60, hepatic_impairment="moderate",
                substance_use="history")
        for s in (150, 200)
    ]  # fmt: skip
    return variants


@cache
def library_floors() -> dict[str, Severity]:
    """Each reason code's lowest severity in the library, over every product, indication,
    diagnosis and label: what a clinic's setting may not go below."""
    floors: dict[str, Severity] = {}
    defaults = Settings()
    products: tuple[Product, ...] = ("iv_racemic", "im_racemic", "esketamine_nasal")
    regions: tuple[LabelRegion, ...] = ("US", "EU")
    for product in products:
        for region in regions:
            for facts in _everything_wrong(product, region):
                for rule in RULES:
                    for reason in rule(facts, defaults):
                        low = floors.get(reason.code)
                        if low is None or SEVERITY_ORDER[reason.severity] < SEVERITY_ORDER[low]:
                            floors[reason.code] = reason.severity
    return floors


def check_severity_overrides(overrides: Mapping[str, str]) -> None:
    """A clinic's severities: known codes, each at or above the library's lowest."""
    floors = library_floors()
    for code, wanted in overrides.items():
        if code not in floors:
            raise ValueError(f"rule.{code}: no such rule")
        if wanted not in SEVERITY_ORDER:
            raise ValueError(f"rule.{code}: must be one of {', '.join(SEVERITY_ORDER)}")
        if SEVERITY_ORDER[wanted] < SEVERITY_ORDER[floors[code]]:
            raise ValueError(
                f"rule.{code}: {wanted} would relax the library's {floors[code]}; a clinic "
                "may only tighten a rule"
            )


def _override(code: str, value: object) -> tuple[str, str | None]:
    """(written reason, basis): an override is {"basis": ..., "reason": ...}; a bare reason
    is one written before overrides had a basis."""
    if isinstance(value, str):
        return value, None
    if not isinstance(value, Mapping):
        raise OverrideRefused(code, "give a basis and a written reason")
    basis = value.get("basis")
    if basis not in OVERRIDE_BASES:
        raise OverrideRefused(code, f"the basis must be one of {', '.join(OVERRIDE_BASES)}")
    return str(value.get("reason", "")), str(basis)


def evaluate(
    facts: Facts, settings: Settings | None = None, overrides: Mapping[str, object] | None = None
) -> Result:
    """Every reason from every rule, the clinic's severities, the prescriber's overrides of
    relative contraindications (each with its basis and a written reason), and the decision
    they lead to."""
    settings = settings or Settings()
    parsed = {code: _override(code, value) for code, value in (overrides or {}).items()}
    reasons = [
        _apply_clinic_severity(reason, settings)
        for rule in RULES
        for reason in rule(facts, settings)
    ]
    by_code = {r.code: r for r in reasons}
    for code, (why, _basis) in parsed.items():
        found = by_code.get(code)
        if found is None:
            raise OverrideRefused(code, "there is no such reason in this evaluation")
        if found.severity == "absolute":
            raise OverrideRefused(code, "an absolute contraindication cannot be overridden")
        if found.severity != "relative":
            raise OverrideRefused(code, "only relative contraindications need an override")
        if len(why.strip()) < 10:
            raise OverrideRefused(code, "give a written reason of at least 10 characters")
    reasons = [
        replace(
            r,
            overridden_by_reason=parsed[r.code][0].strip(),
            override_basis=parsed[r.code][1],
        )
        if r.code in parsed
        else r
        for r in reasons
    ]
    if any(r.severity == "absolute" for r in reasons) or any(
        r.severity == "relative" and r.overridden_by_reason is None for r in reasons
    ):
        decision: Decision = "not_eligible"
    elif any(r.severity in ("relative", "precaution") for r in reasons):
        decision = "eligible_with_precautions"
    else:
        decision = "eligible"
    counted, unknown, skipped = counted_trials(facts, settings)
    trd = TrdAssessment(
        len(counted),
        settings.min_failed_trials,
        len(counted) >= settings.min_failed_trials,
        tuple(unknown),
        maudsley(facts),
        tuple(skipped),
    )
    ordered = sorted(reasons, key=lambda r: -SEVERITY_ORDER[r.severity])
    return Result(decision, tuple(ordered), trd)
