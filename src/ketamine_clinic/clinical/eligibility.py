"""Eligibility for ketamine or esketamine treatment: one function per rule, each with its source.

Severities:
- `absolute`: a contraindication. The patient is not eligible; nobody can override it.
- `relative`: a relative contraindication. Not eligible unless a prescriber overrides it with a
  written reason; then eligible with precautions.
- `precaution`: eligible with precautions; shown, nothing to override.
- `info`: worth knowing; does not change the decision.

Clinics may tighten severities and thresholds (e.g. make psychosis history relative for
esketamine too, or ask for three failed trials), never relax them below the library: a
clinic's setting that would is refused when it is saved (`check_clinic_settings`) and ignored
if it is found. A prescriber overrides a relative contraindication for one patient, with a
written reason, on a signed evaluation. This is decision support: the prescriber decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Literal

from ketamine_clinic.clinical import interactions

Product = Literal["iv_racemic", "im_racemic", "esketamine_nasal"]
Indication = Literal["trd", "mdsi", "off_label"]
Diagnosis = Literal["mdd", "bipolar_depression", "mdd_with_si", "other"]
Severity = Literal["absolute", "relative", "precaution", "info"]
Decision = Literal["eligible", "eligible_with_precautions", "not_eligible"]
LabelRegion = Literal["US", "EU"]
SubstanceUse = Literal["none", "history", "active"]
Hepatic = Literal["none", "mild", "moderate", "severe"]
EpisodeSeverity = Literal["subsyndromal", "mild", "moderate", "severe", "severe_psychotic"]

SEVERITY_ORDER: dict[str, int] = {"info": 0, "precaution": 1, "relative": 2, "absolute": 3}

# Sources, cited by the rules below.
SPRAVATO_US = "Spravato (esketamine) US prescribing information, contraindications and warnings"
SPRAVATO_EU = "Spravato EU/UK SmPC (janssen-pi.co.uk product 32), sections 4.2-4.4"
KETALAR = "Ketalar (ketamine) US label: contraindications; CLINICAL.md section 3"
APA_2017 = "Sanacora et al., JAMA Psychiatry 2017 (APA consensus on ketamine for mood disorders)"
MGH_ATRQ = "MGH-ATRQ adequacy (>= 6 weeks at >= minimum therapeutic dose); EMA accepts 4 weeks"
FEKADU = "Fekadu et al., J Clin Psychiatry 2009; scoring conventions BMC Psychiatry 2018;18:100"


@dataclass(frozen=True)
class Trial:
    """A prior treatment, as recorded in the patient's history."""

    kind: str  # antidepressant, augmentation, psychotherapy, ect, tms, other
    name: str
    adequate: bool | None
    weeks: float | None
    outcome: str  # no_response, partial, response, intolerance, unknown
    in_current_episode: bool = True


@dataclass(frozen=True)
class Facts:
    """What the evaluation recorded about the patient and the plan."""

    product: Product
    indication: Indication
    diagnosis: Diagnosis
    age_years: int
    episode_months: int
    episode_severity: EpisodeSeverity
    trials: tuple[Trial, ...] = ()
    label_region: LabelRegion = "US"
    psychosis_history: bool = False
    current_psychosis: bool = False  # psychotic symptoms now (or a psychotic episode)
    current_mania: bool = False  # mania or hypomania now
    ketamine_misuse: bool = False  # ketamine or esketamine use disorder or misuse, current
    substance_use: SubstanceUse = "none"
    urine_tox_positive: bool = False
    aneurysmal_vascular_disease: bool = False
    arteriovenous_malformation: bool = False
    intracerebral_haemorrhage: bool = False
    cardiovascular_event_weeks_ago: int | None = None
    unstable_cardiorespiratory: bool = False
    raised_intracranial_pressure: bool = False
    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    hepatic_impairment: Hepatic = "none"
    pregnant: bool = False
    breastfeeding: bool = False
    hypersensitivity: bool = False
    medication_classes: frozenset[str] = frozenset()  # ticked on the evaluation
    medications: tuple[str, ...] = ()  # the chart's current medicines, matched by name


@dataclass(frozen=True)
class Settings:
    """A clinic's thresholds (defaults from CLINICAL.md, each a clinic setting)."""

    adequate_trial_weeks: float = 6  # MGH-ATRQ; 4 per EMA guidance
    min_failed_trials: int = 2  # TRD: two adequate failed antidepressants (Spravato label)
    bp_precaution_mmhg: tuple[int, int] = (140, 90)  # Spravato label: above 140/90, weigh risk
    bp_relative_mmhg: tuple[int, int] = (180, 110)  # above this, no dosing today (CLINICAL.md 3)
    recent_cardiovascular_event_weeks: int = 6  # EU SmPC: MI in the last 6 weeks
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The library's floors: TRD is two failed trials (Spravato label), an adequate trial
        # at least 4 weeks (EMA), BP limits no higher and the cardiac window no shorter than
        # the library's.
        if not 2 <= self.min_failed_trials <= 10:
            raise ValueError("min_failed_trials must be between 2 and 10")
        if not 4 <= self.adequate_trial_weeks <= 26:
            raise ValueError("adequate_trial_weeks must be between 4 and 26")
        for name, limit in (("bp_precaution_mmhg", (140, 90)), ("bp_relative_mmhg", (180, 110))):
            value = getattr(self, name)
            if not (100 <= value[0] <= limit[0] and 60 <= value[1] <= limit[1]):
                raise ValueError(
                    f"{name} must be at most {limit[0]}/{limit[1]} (the library's) and at "
                    "least 100/60"
                )
        if not 6 <= self.recent_cardiovascular_event_weeks <= 104:
            raise ValueError("recent_cardiovascular_event_weeks must be between 6 and 104")
        if self.severity_overrides:  # (the library itself has none: no recursion)
            check_severity_overrides(self.severity_overrides)


@dataclass(frozen=True)
class Reason:
    code: str
    severity: Severity
    message: str
    source: str
    overridden_by_reason: str | None = None
    override_basis: str | None = None  # OVERRIDE_BASES; None for an override written before

    @property
    def overridable(self) -> bool:
        return self.severity == "relative"


@dataclass(frozen=True)
class Maudsley:
    duration_points: int
    severity_points: int
    failure_points: int
    augmentation_points: int
    ect_points: int
    total: int
    band: Literal["mild", "moderate", "severe"]
    failures: int


@dataclass(frozen=True)
class TrdAssessment:
    adequate_failures: int
    required: int
    met: bool
    unknown_adequacy: tuple[str, ...]
    maudsley: Maudsley
    not_counted: tuple[tuple[str, str], ...] = ()  # (trial, why it was not counted)


@dataclass(frozen=True)
class Result:
    decision: Decision
    reasons: tuple[Reason, ...]
    trd: TrdAssessment


# Why a prescriber may set a relative contraindication aside for one patient: the grounds a
# decision to treat despite a relative contraindication rests on (benefit against risk, the
# risk controlled, the patient's informed choice), each with the prescriber's own words.
OVERRIDE_BASES = {
    "benefit_outweighs_risk": "the expected benefit outweighs this risk for this patient",
    "risk_controlled": "the condition is treated and controlled, or monitored for",
    "specialist_advice": "on the advice of the specialist who treats the condition",
    "informed_choice": "the patient's informed choice after the risk was discussed",
}


class OverrideRefused(ValueError):
    """An override that cannot be accepted; `code` names the reason it tried to override."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


# --- Treatment resistance ------------------------------------------------------------------


def _is_esketamine(facts: Facts) -> bool:
    return facts.product == "esketamine_nasal"


def _drug(trial: Trial) -> str:
    return " ".join(trial.name.lower().split())


def counted_trials(
    facts: Facts, settings: Settings
) -> tuple[list[Trial], list[str], list[tuple[str, str]]]:
    """Antidepressant trials in the current episode that count as adequate failures, by the
    MGH-ATRQ's rules (source: MGH_ATRQ): an adequate dose for at least the adequate duration,
    with no response or a partial one. A trial whose adequacy or duration was not recorded is
    not counted (it cannot be shown adequate); intolerance is not the failure of an adequate
    trial; the same drug tried again is one antidepressant, counted once. Returns the counted
    trials, those whose adequacy is unknown, and every trial not counted with why."""
    counted: list[Trial] = []
    unknown: list[str] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for trial in facts.trials:
        if trial.kind != "antidepressant":
            continue
        if not trial.in_current_episode:
            skipped.append((trial.name, "not in the current episode"))
        elif trial.outcome == "intolerance":
            skipped.append((trial.name, "stopped for intolerance, not a failed adequate trial"))
        elif trial.outcome not in ("no_response", "partial"):
            skipped.append((trial.name, f"outcome: {trial.outcome.replace('_', ' ')}"))
        elif trial.adequate is None:
            unknown.append(trial.name)
            skipped.append((trial.name, "adequacy of the dose not recorded"))
        elif not trial.adequate:
            skipped.append((trial.name, "dose recorded as not adequate"))
        elif trial.weeks is None:
            skipped.append((trial.name, "duration not recorded"))
        elif trial.weeks < settings.adequate_trial_weeks:
            skipped.append(
                (trial.name, f"{trial.weeks:g} weeks, under {settings.adequate_trial_weeks:g}")
            )
        elif _drug(trial) in seen:
            skipped.append((trial.name, "the same drug again: one antidepressant, counted once"))
        else:
            seen.add(_drug(trial))
            counted.append(trial)
    return counted, unknown, skipped


def adequate_failures(facts: Facts, settings: Settings) -> tuple[int, tuple[str, ...]]:
    """How many adequate failed antidepressant trials count, and whose adequacy is unknown."""
    counted, unknown, _ = counted_trials(facts, settings)
    return len(counted), tuple(unknown)


def maudsley(facts: Facts) -> Maudsley:
    """Maudsley Staging Method (source: FEKADU): duration <= 12 months 1, 13-24 2, > 24 3;
    severity subsyndromal 1 ... severe with psychosis 5; failed antidepressants 1-2 = 1,
    3-4 = 2, 5-6 = 3, 7-10 = 4, > 10 = 5; augmentation 1; ECT 1. Total 3-15: mild 3-6,
    moderate 7-10, severe 11-15. With no failed trial the MSM does not apply (0 points)."""
    months = facts.episode_months
    duration = 1 if months <= 12 else 2 if months <= 24 else 3
    severity = {"subsyndromal": 1, "mild": 2, "moderate": 3, "severe": 4, "severe_psychotic": 5}[
        facts.episode_severity
    ]
    failed = len(
        {
            _drug(t)
            for t in facts.trials
            if t.kind == "antidepressant"
            and t.in_current_episode
            and t.outcome in ("no_response", "partial")
        }
    )
    if failed == 0:
        failure = 0
    elif failed <= 2:
        failure = 1
    elif failed <= 4:
        failure = 2
    elif failed <= 6:
        failure = 3
    elif failed <= 10:
        failure = 4
    else:
        failure = 5
    augmentation = int(any(t.kind == "augmentation" and t.in_current_episode for t in facts.trials))
    ect = int(any(t.kind == "ect" and t.in_current_episode for t in facts.trials))
    total = duration + severity + failure + augmentation + ect
    band: Literal["mild", "moderate", "severe"] = (
        "mild" if total <= 6 else "moderate" if total <= 10 else "severe"
    )
    return Maudsley(duration, severity, failure, augmentation, ect, total, band, failed)


def rule_treatment_resistance(facts: Facts, settings: Settings) -> list[Reason]:
    """TRD: at least two adequate failed antidepressants in the current episode (Spravato US
    label indication; APA 2017 for racemic ketamine). Not required for esketamine in MDD with
    acute suicidal ideation."""
    if facts.indication == "mdsi":
        return []
    count, unknown = adequate_failures(facts, settings)
    reasons = []
    if unknown:
        reasons.append(
            Reason(
                "trial_adequacy_unknown",
                "info",
                f"Adequacy not recorded for: {', '.join(unknown)}; they are not counted.",
                MGH_ATRQ,
            )
        )
    if count < settings.min_failed_trials:
        reasons.append(
            Reason(
                "trd_not_met",
                "relative",
                f"{count} adequate failed antidepressant trial{'s' if count != 1 else ''} in the "
                f"current episode; treatment resistance needs {settings.min_failed_trials}.",
                SPRAVATO_US if _is_esketamine(facts) else APA_2017,
            )
        )
    return reasons


# --- Contraindications and precautions ------------------------------------------------------


def rule_diagnosis(facts: Facts, settings: Settings) -> list[Reason]:
    """Esketamine is indicated in MDD (TRD) and MDD with acute suicidal ideation; bipolar
    depression is off-label with a risk of switching to mania (Spravato US label; APA 2017)."""
    reasons = []
    if facts.diagnosis == "bipolar_depression":
        reasons.append(
            Reason(
                "bipolar_depression",
                "relative",
                "Bipolar depression: outside the label; watch for a switch to mania.",
                SPRAVATO_US if _is_esketamine(facts) else APA_2017,
            )
        )
    if facts.diagnosis == "other":
        reasons.append(
            Reason(
                "diagnosis_other", "relative", "Diagnosis other than major depression.", APA_2017
            )
        )
    if facts.indication == "mdsi" and facts.diagnosis != "mdd_with_si":
        reasons.append(
            Reason(
                "mdsi_without_si",
                "relative",
                "The suicidal-ideation indication was chosen without that diagnosis.",
                SPRAVATO_US,
            )
        )
    if facts.indication == "off_label" and _is_esketamine(facts):
        reasons.append(
            Reason(
                "esketamine_off_label",
                "relative",
                "Esketamine outside its labelled indications.",
                SPRAVATO_US,
            )
        )
    return reasons


def rule_vascular(facts: Facts, settings: Settings) -> list[Reason]:
    """Aneurysmal vascular disease, arteriovenous malformation and intracerebral haemorrhage:
    contraindicated for esketamine (Spravato US label) and for ketamine wherever a rise in
    blood pressure would be a serious hazard (Ketalar label)."""
    source = SPRAVATO_US if _is_esketamine(facts) else KETALAR
    reasons = []
    if facts.aneurysmal_vascular_disease:
        reasons.append(
            Reason(
                "aneurysmal_vascular_disease",
                "absolute",
                "Aneurysmal vascular disease (aortic, intracranial or peripheral).",
                source,
            )
        )
    if facts.arteriovenous_malformation:
        reasons.append(
            Reason("arteriovenous_malformation", "absolute", "Arteriovenous malformation.", source)
        )
    if facts.intracerebral_haemorrhage:
        reasons.append(
            Reason(
                "intracerebral_haemorrhage",
                "absolute",
                "History of intracerebral haemorrhage.",
                source,
            )
        )
    return reasons


def rule_hypersensitivity(facts: Facts, settings: Settings) -> list[Reason]:
    """Hypersensitivity to esketamine, ketamine or an excipient (Spravato US label; Ketalar)."""
    if not facts.hypersensitivity:
        return []
    return [
        Reason(
            "hypersensitivity",
            "absolute",
            "Hypersensitivity to ketamine or esketamine.",
            SPRAVATO_US if _is_esketamine(facts) else KETALAR,
        )
    ]


def rule_cardiovascular(facts: Facts, settings: Settings) -> list[Reason]:
    """A cardiovascular event (e.g. myocardial infarction) in the last 6 weeks: contraindicated
    for esketamine in the EU (SmPC 4.3); elsewhere a relative contraindication. Unstable
    cardiovascular or respiratory disease: a precaution for esketamine (US label 5.x), a
    relative contraindication for racemic ketamine (CLINICAL.md 3)."""
    reasons = []
    weeks = facts.cardiovascular_event_weeks_ago
    if weeks is not None and weeks < settings.recent_cardiovascular_event_weeks:
        eu_esketamine = _is_esketamine(facts) and facts.label_region == "EU"
        reasons.append(
            Reason(
                "recent_cardiovascular_event",
                "absolute" if eu_esketamine else "relative",
                f"Cardiovascular event {weeks} weeks ago (under "
                f"{settings.recent_cardiovascular_event_weeks}).",
                SPRAVATO_EU if eu_esketamine else APA_2017,
            )
        )
    if facts.unstable_cardiorespiratory:
        reasons.append(
            Reason(
                "unstable_cardiorespiratory",
                "precaution" if _is_esketamine(facts) else "relative",
                "Unstable cardiovascular or respiratory disease.",
                SPRAVATO_US if _is_esketamine(facts) else APA_2017,
            )
        )
    return reasons


def rule_blood_pressure(facts: Facts, settings: Settings) -> list[Reason]:
    """Baseline blood pressure: above 140/90 weigh the risk and consider delaying (Spravato US
    label); above 180/110 no dosing (CLINICAL.md 3). Both thresholds are clinic settings."""
    if facts.systolic_mmhg is None or facts.diastolic_mmhg is None:
        return [
            Reason(
                "baseline_bp_missing", "info", "Baseline blood pressure not recorded.", SPRAVATO_US
            )
        ]
    sys_, dia = facts.systolic_mmhg, facts.diastolic_mmhg
    high_sys, high_dia = settings.bp_relative_mmhg
    if sys_ > high_sys or dia > high_dia:
        return [
            Reason(
                "blood_pressure_uncontrolled",
                "relative",
                f"Blood pressure {sys_}/{dia} mmHg is above {high_sys}/{high_dia}: "
                "treat it before ketamine.",
                APA_2017,
            )
        ]
    pre_sys, pre_dia = settings.bp_precaution_mmhg
    if sys_ > pre_sys or dia > pre_dia:
        return [
            Reason(
                "blood_pressure_raised",
                "precaution",
                f"Blood pressure {sys_}/{dia} mmHg is above {pre_sys}/{pre_dia}: "
                "monitor closely; consider delaying if it stays high.",
                SPRAVATO_US,
            )
        ]
    return []


def rule_psychosis(facts: Facts, settings: Settings) -> list[Reason]:
    """Psychosis history: a precaution for esketamine (US label), a relative
    contraindication for racemic ketamine (CLINICAL.md 3; APA 2017)."""
    if not facts.psychosis_history:
        return []
    severity: Severity = "precaution" if _is_esketamine(facts) else "relative"
    return [
        Reason(
            "psychosis_history",
            severity,
            "History of psychosis.",
            SPRAVATO_US if _is_esketamine(facts) else APA_2017,
        )
    ]


def rule_current_psychiatric_state(facts: Facts, settings: Settings) -> list[Reason]:
    """Psychotic symptoms now (including psychotic depression) and mania or hypomania now:
    ketamine is psychotomimetic and can switch mood; the trials behind every protocol here
    excluded both, and the APA consensus advises against ketamine in either (APA_2017;
    Spravato US label 5.x and its trials' exclusions). Absolute: no override."""
    reasons = []
    source = SPRAVATO_US if _is_esketamine(facts) else APA_2017
    if facts.current_psychosis or facts.episode_severity == "severe_psychotic":
        reasons.append(
            Reason(
                "current_psychosis",
                "absolute",
                "Psychotic symptoms now (or a depression with psychotic features).",
                source,
            )
        )
    if facts.current_mania:
        reasons.append(Reason("current_mania", "absolute", "Mania or hypomania now.", source))
    return reasons


def rule_substance_use(facts: Facts, settings: Settings) -> list[Reason]:
    """Substance use disorder: abuse and misuse risk (Spravato US boxed warning; APA 2017).
    Active use is a relative contraindication; a history is a precaution; an unexplained
    positive urine toxicology is a relative contraindication until explained."""
    source = SPRAVATO_US if _is_esketamine(facts) else APA_2017
    reasons = []
    if facts.ketamine_misuse:
        reasons.append(
            Reason(
                "ketamine_misuse",
                "absolute",
                "Current ketamine or esketamine misuse or use disorder: the drug is the risk.",
                SPRAVATO_US,
            )
        )
    if facts.substance_use == "active":
        reasons.append(
            Reason("substance_use_active", "relative", "Active substance use disorder.", source)
        )
    elif facts.substance_use == "history":
        reasons.append(
            Reason(
                "substance_use_history",
                "precaution",
                "History of substance use disorder: monitor for misuse.",
                source,
            )
        )
    if facts.urine_tox_positive:
        reasons.append(
            Reason(
                "urine_tox_positive",
                "relative",
                "Positive urine toxicology not explained by prescriptions.",
                source,
            )
        )
    return reasons


def rule_pregnancy(facts: Facts, settings: Settings) -> list[Reason]:
    """Pregnancy: not recommended (Spravato US label 8.1; relative for racemic, CLINICAL.md 3).
    Breastfeeding: a precaution."""
    reasons = []
    if facts.pregnant:
        reasons.append(
            Reason(
                "pregnancy",
                "relative",
                "Pregnancy.",
                SPRAVATO_US if _is_esketamine(facts) else APA_2017,
            )
        )
    if facts.breastfeeding:
        reasons.append(Reason("breastfeeding", "precaution", "Breastfeeding.", SPRAVATO_US))
    return reasons


def rule_hepatic(facts: Facts, settings: Settings) -> list[Reason]:
    """Hepatic impairment: severe (Child-Pugh C) is not recommended for esketamine (US label);
    moderate limits the dose to 84 mg (EU SmPC 4.2) and needs longer monitoring."""
    if facts.hepatic_impairment == "severe":
        return [
            Reason(
                "hepatic_severe",
                "relative",
                "Severe hepatic impairment (Child-Pugh C).",
                SPRAVATO_US if _is_esketamine(facts) else KETALAR,
            )
        ]
    if facts.hepatic_impairment == "moderate":
        return [
            Reason(
                "hepatic_moderate",
                "precaution",
                "Moderate hepatic impairment: lower maximum dose, longer monitoring.",
                SPRAVATO_EU,
            )
        ]
    return []


def rule_intracranial_pressure(facts: Facts, settings: Settings) -> list[Reason]:
    """Raised intracranial pressure: do not dose where a rise in pressure is a serious risk
    (Spravato US label; relative for racemic ketamine, CLINICAL.md 3)."""
    if not facts.raised_intracranial_pressure:
        return []
    return [
        Reason(
            "raised_intracranial_pressure",
            "relative",
            "Raised intracranial pressure.",
            SPRAVATO_US if _is_esketamine(facts) else APA_2017,
        )
    ]


def rule_interactions(facts: Facts, settings: Settings) -> list[Reason]:
    """Each interaction class the patient takes, ticked on the evaluation or matched from the
    chart's medicines (interactions.py, each class with its source): what it does and what to
    do. A precaution: the prescriber weighs it."""
    matched = interactions.match(facts.medications)
    reasons = []
    for code, known in interactions.CLASSES.items():
        names = matched.get(code, [])
        if not names and code not in facts.medication_classes:
            continue
        takes = ", ".join(names) if names else known.name
        reasons.append(
            Reason(
                f"interaction_{code}",
                "precaution",
                f"Takes {takes}: {known.effect}; {known.action}.",
                known.source,
            )
        )
    return reasons


def rule_age(facts: Facts, settings: Settings) -> list[Reason]:
    """Esketamine is approved for adults; at 65 or over the EU label starts at 28 mg."""
    reasons = []
    if facts.age_years < 18:
        reasons.append(
            Reason(
                "age_under_18",
                "relative",
                "Under 18: not studied or approved.",
                SPRAVATO_US if _is_esketamine(facts) else APA_2017,
            )
        )
    if _is_esketamine(facts) and facts.label_region == "EU" and facts.age_years >= 65:
        reasons.append(
            Reason(
                "age_65_eu_start",
                "info",
                "65 or over (EU label): start at 28 mg, change in 28 mg steps.",
                SPRAVATO_EU,
            )
        )
    return reasons


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


def _apply_clinic_severity(reason: Reason, settings: Settings) -> Reason:
    wanted = settings.severity_overrides.get(reason.code)
    if wanted is None or SEVERITY_ORDER[wanted] <= SEVERITY_ORDER[reason.severity]:
        return reason  # a clinic tightens a rule, never relaxes it
    return replace(reason, severity=wanted)


@cache
def library_floors() -> dict[str, Severity]:
    """Each reason code's lowest severity in the library, over every product, indication,
    diagnosis and label: what a clinic's setting may not go below."""
    floors: dict[str, Severity] = {}
    everything = Facts(
        product="iv_racemic",
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
    )
    variants = [
        replace(everything, product=p, indication=i, diagnosis=d, label_region=r, age_years=a)
        for p in ("iv_racemic", "im_racemic", "esketamine_nasal")
        for i in ("trd", "mdsi", "off_label")
        for d in ("mdd", "bipolar_depression", "mdd_with_si", "other")
        for r in ("US", "EU")
        for a in (12, 70)
    ]
    variants += [
        replace(everything, systolic_mmhg=s, diastolic_mmhg=60, hepatic_impairment="moderate",
                substance_use="history")
        for s in (150, 200)
    ]  # fmt: skip
    defaults = Settings()
    for facts in variants:
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
