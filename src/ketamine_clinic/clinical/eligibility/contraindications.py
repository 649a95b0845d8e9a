"""Contraindications and precautions, one function per rule, each with its source."""

from __future__ import annotations

from ketamine_clinic.clinical import interactions
from ketamine_clinic.clinical.eligibility.facts import (
    Facts,
    Reason,
    Settings,
    Severity,
    is_esketamine,
)
from ketamine_clinic.clinical.eligibility.sources import (
    APA_2017,
    KETALAR,
    KETALAR_PK,
    SPRAVATO_EU,
    SPRAVATO_US,
)


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
                SPRAVATO_US if is_esketamine(facts) else APA_2017,
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
    if facts.indication == "off_label" and is_esketamine(facts):
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
    source = SPRAVATO_US if is_esketamine(facts) else KETALAR
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
            SPRAVATO_US if is_esketamine(facts) else KETALAR,
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
        eu_esketamine = is_esketamine(facts) and facts.label_region == "EU"
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
                "precaution" if is_esketamine(facts) else "relative",
                "Unstable cardiovascular or respiratory disease.",
                SPRAVATO_US if is_esketamine(facts) else APA_2017,
            )
        )
    return reasons


def rule_blood_pressure(facts: Facts, settings: Settings) -> list[Reason]:
    """Baseline blood pressure: above 140/90 weigh the risk and consider delaying (Spravato US
    label for esketamine; for racemic ketamine the APA consensus asks for a baseline and the
    140/90 threshold is the one published series use, CLINICAL.md 3); above 180/110 no dosing
    (CLINICAL.md 3). Both thresholds are clinic settings."""
    source = SPRAVATO_US if is_esketamine(facts) else APA_2017
    if facts.systolic_mmhg is None or facts.diastolic_mmhg is None:
        return [
            Reason("baseline_bp_missing", "info", "Baseline blood pressure not recorded.", source)
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
                source,
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
                source,
            )
        ]
    return []


def rule_psychosis(facts: Facts, settings: Settings) -> list[Reason]:
    """Psychosis history: a precaution for esketamine (US label), a relative
    contraindication for racemic ketamine (CLINICAL.md 3; APA 2017)."""
    if not facts.psychosis_history:
        return []
    severity: Severity = "precaution" if is_esketamine(facts) else "relative"
    return [
        Reason(
            "psychosis_history",
            severity,
            "History of psychosis.",
            SPRAVATO_US if is_esketamine(facts) else APA_2017,
        )
    ]


def rule_current_psychiatric_state(facts: Facts, settings: Settings) -> list[Reason]:
    """Psychotic symptoms now (including psychotic depression) and mania or hypomania now:
    ketamine is psychotomimetic and can switch mood; the trials behind every protocol here
    excluded both, and the APA consensus advises against ketamine in either (APA_2017;
    Spravato US label 5.x and its trials' exclusions). Absolute: no override."""
    reasons = []
    source = SPRAVATO_US if is_esketamine(facts) else APA_2017
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
    source = SPRAVATO_US if is_esketamine(facts) else APA_2017
    reasons = []
    if facts.ketamine_misuse:
        reasons.append(
            Reason(
                "ketamine_misuse",
                "absolute",
                "Current ketamine or esketamine misuse or use disorder: the drug is the risk.",
                source,
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
                SPRAVATO_US if is_esketamine(facts) else APA_2017,
            )
        )
    if facts.breastfeeding:
        reasons.append(Reason("breastfeeding", "precaution", "Breastfeeding.",
                              SPRAVATO_US if is_esketamine(facts) else KETALAR))  # fmt: skip
    return reasons


def rule_hepatic(facts: Facts, settings: Settings) -> list[Reason]:
    """Hepatic impairment: severe (Child-Pugh C) is not recommended for esketamine (US label);
    moderate limits the dose to 84 mg (EU SmPC 4.2) and needs longer monitoring. Racemic
    ketamine is metabolised in the liver (Ketalar label, clinical pharmacology)."""
    if facts.hepatic_impairment == "severe":
        return [
            Reason(
                "hepatic_severe",
                "relative",
                "Severe hepatic impairment (Child-Pugh C).",
                SPRAVATO_US if is_esketamine(facts) else KETALAR,
            )
        ]
    if facts.hepatic_impairment == "moderate":
        if is_esketamine(facts):
            message = "Moderate hepatic impairment: lower maximum dose, longer monitoring."
            return [Reason("hepatic_moderate", "precaution", message, SPRAVATO_EU)]
        message = (
            "Moderate hepatic impairment: ketamine is cleared by the liver; consider a lower "
            "dose and longer monitoring."
        )
        return [Reason("hepatic_moderate", "precaution", message, KETALAR_PK)]
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
            SPRAVATO_US if is_esketamine(facts) else APA_2017,
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
                SPRAVATO_US if is_esketamine(facts) else APA_2017,
            )
        )
    if is_esketamine(facts) and facts.label_region == "EU" and facts.age_years >= 65:
        reasons.append(
            Reason(
                "age_65_eu_start",
                "info",
                "65 or over (EU label): start at 28 mg, change in 28 mg steps.",
                SPRAVATO_EU,
            )
        )
    return reasons
