"""What an eligibility decision is made from and what it gives: the facts, the clinic's
thresholds, each reason and the result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

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
            from ketamine_clinic.clinical.eligibility.decide import check_severity_overrides

            check_severity_overrides(self.severity_overrides)  # needs the rules: imported late


def is_esketamine(facts: Facts) -> bool:
    return facts.product == "esketamine_nasal"


# How long a signed pretreatment evaluation stands before a new course needs a new one. No
# label or consensus gives an interval: the APA consensus (Sanacora et al., JAMA Psychiatry
# 2017;74:399) asks for a full evaluation before treatment and says nothing of how long it
# lasts. A year is this software's default; each clinic sets its own within the bounds.
EVALUATION_VALID_DAYS = 365
EVALUATION_VALID_DAYS_BOUNDS = (30, 730)


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
