"""From an evaluation record to the eligibility decision, and the gate before treatment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.clinical.eligibility import (
    EVALUATION_VALID_DAYS,
    OVERRIDE_BASES,
    Facts,
    Result,
    Settings,
    Trial,
    checked,
    evaluate,
)
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.common.errors import Conflict
from ketamine_clinic.evaluations.consent.queries import (
    PRODUCT_LABELS,
    active_consent,
    rems_enrolment,
)
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.patients.models import Medication, Patient, TreatmentTrial
from ketamine_clinic.records.models import RecordStatus

SETTING_KEYS = {
    "adequate_trial_weeks", "min_failed_trials", "bp_precaution_mmhg", "bp_relative_mmhg",
    "recent_cardiovascular_event_weeks", "severity_overrides", "max_evaluation_age_days",
}  # fmt: skip


def clinic_settings(clinic: Clinic) -> Settings:
    """The clinic's eligibility thresholds; unknown keys or bad values fall to an error, never
    silently to a default."""
    raw = dict(clinic.eligibility_settings or {})
    raw.pop("max_evaluation_age_days", None)
    unknown = set(raw) - SETTING_KEYS
    if unknown:
        raise ValueError(f"unknown eligibility settings: {', '.join(sorted(unknown))}")
    for key in ("bp_precaution_mmhg", "bp_relative_mmhg"):
        if key in raw:
            raw[key] = tuple(raw[key])
    return Settings(**raw)


def max_evaluation_age(clinic: Clinic) -> int:
    return int(
        (clinic.eligibility_settings or {}).get("max_evaluation_age_days", EVALUATION_VALID_DAYS)
    )


def medications_of(patient: Patient) -> list[str]:
    """The chart's current medicines (not stopped, not entered in error), by name."""
    return list(
        Medication.objects.filter(
            patient=patient, status=RecordStatus.ACTIVE, stopped_on__isnull=True
        )
        .order_by("name")
        .values_list("name", flat=True)
    )


def trials_of(patient: Patient) -> list[dict[str, Any]]:
    """The patient's recorded prior treatments, as the eligibility rules read them."""
    return [
        {
            "kind": t.kind,
            "name": t.name,
            "adequate": t.adequate,
            "weeks": float(t.duration_weeks) if t.duration_weeks is not None else None,
            "outcome": t.outcome,
            "in_current_episode": t.in_current_episode,
        }
        for t in TreatmentTrial.objects.filter(patient=patient, status=RecordStatus.ACTIVE)
    ]


def facts_of(
    evaluation: Evaluation,
    trials: list[dict[str, Any]],
    medications: list[str] = (),  # type: ignore[assignment]
) -> Facts:
    patient = evaluation.patient
    return Facts(
        product=evaluation.product,  # type: ignore[arg-type]
        indication=evaluation.indication,  # type: ignore[arg-type]
        diagnosis=evaluation.diagnosis,  # type: ignore[arg-type]
        age_years=age_on(patient.birth_date, evaluation.evaluated_on),
        episode_months=evaluation.episode_months,
        episode_severity=evaluation.episode_severity,  # type: ignore[arg-type]
        trials=tuple(Trial(**t) for t in trials),
        label_region=evaluation.label_region,  # type: ignore[arg-type]
        psychosis_history=evaluation.psychosis_history,
        current_psychosis=evaluation.current_psychosis,
        current_mania=evaluation.current_mania,
        ketamine_misuse=evaluation.ketamine_misuse,
        substance_use=evaluation.substance_use,  # type: ignore[arg-type]
        urine_tox_positive=evaluation.urine_tox == Evaluation.UrineTox.POSITIVE,
        aneurysmal_vascular_disease=evaluation.aneurysmal_vascular_disease,
        arteriovenous_malformation=evaluation.arteriovenous_malformation,
        intracerebral_haemorrhage=evaluation.intracerebral_haemorrhage,
        cardiovascular_event_weeks_ago=evaluation.cardiovascular_event_weeks_ago,
        unstable_cardiorespiratory=evaluation.unstable_cardiorespiratory,
        raised_intracranial_pressure=evaluation.raised_intracranial_pressure,
        systolic_mmhg=evaluation.systolic_mmhg,
        diastolic_mmhg=evaluation.diastolic_mmhg,
        hepatic_impairment=evaluation.hepatic_impairment,  # type: ignore[arg-type]
        pregnant=evaluation.pregnant,
        breastfeeding=evaluation.breastfeeding,
        hypersensitivity=evaluation.hypersensitivity,
        medication_classes=frozenset(evaluation.medication_classes or []),
        medications=tuple(medications or ()),
    )


def assess(evaluation: Evaluation) -> Result:
    """A draft is judged on the patient's history as it is now; a signed evaluation was
    snapshotted when signed, and this recomputes exactly that."""
    if evaluation.is_signed:
        trials, medicines = evaluation.trials_snapshot, evaluation.medications_snapshot
    else:
        trials, medicines = trials_of(evaluation.patient), medications_of(evaluation.patient)
    return evaluate(
        facts_of(evaluation, trials, medicines),
        clinic_settings(evaluation.patient.clinic),
        evaluation.overrides or {},
    )


def _reason_json(reason: Any, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A reason as stored and shown: with its override's basis in words and who set it when."""
    entry = overrides.get(reason.code)
    stamp = entry if isinstance(entry, dict) else {}
    return {
        **asdict(reason),
        "overridable": reason.overridable,
        "override_basis_label": OVERRIDE_BASES.get(reason.override_basis or "", ""),
        "override_by": stamp.get("by_name", ""),
        "override_at": stamp.get("at", ""),
    }


def result_json(result: Result, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "decision": result.decision,
        "reasons": [_reason_json(r, overrides or {}) for r in result.reasons],
        "trd": {
            "adequate_failures": result.trd.adequate_failures,
            "required": result.trd.required,
            "met": result.trd.met,
            "unknown_adequacy": list(result.trd.unknown_adequacy),
            "not_counted": [{"trial": t, "why": why} for t, why in result.trd.not_counted],
            "maudsley": asdict(result.trd.maudsley),
        },
    }


def evaluation_gate(patient: Patient, product: str, today: date) -> list[str]:
    """What stands between this patient and a first dose of `product`, as far as the
    evaluation goes. Empty when the evaluation part of the gate is open."""
    latest = (
        Evaluation.objects.filter(
            patient=patient, status=RecordStatus.ACTIVE, sign_status=Evaluation.Status.SIGNED
        )
        .order_by("-signed_at")
        .first()
    )
    if latest is None:
        return ["a signed evaluation"]
    missing = []
    if latest.decision == "not_eligible":
        missing.append("an evaluation that is not 'not eligible' (the latest signed one is)")
    limit = max_evaluation_age(patient.clinic)
    if latest.evaluated_on < today - timedelta(days=limit):
        missing.append(
            f"an evaluation from the last {limit} days (the latest is from {latest.evaluated_on})"
        )
    if latest.product != product:
        missing.append(
            f"an evaluation for {product.replace('_', ' ')} "
            f"(the latest is for {latest.get_product_display()})"
        )
    return missing


def treatment_gate(patient: Patient, product: str, today: date) -> list[str]:
    """Everything still needed before a course can start or a dose be given (empty = open):
    a signed, current evaluation that is not 'not eligible', an active consent for the
    product, and for esketamine the REMS patient enrolment (CLINICAL.md 2)."""
    missing = evaluation_gate(patient, product, today)
    if active_consent(patient, product) is None:
        missing.append(f"an active signed consent for {PRODUCT_LABELS[product]}")
    if product == "esketamine_nasal" and rems_enrolment(patient) is None:
        missing.append("REMS patient enrolment")
    return missing


def require_treatment_gate(patient: Patient, product: str, today: date) -> None:
    """For course orders and dosing: refuse (409) with exactly what is missing."""
    missing = treatment_gate(patient, product, today)
    if missing:
        raise Conflict("cannot treat yet: still needs " + "; ".join(missing))


def evaluations_of(patient: Patient, *, active: bool = False) -> QuerySet[Evaluation]:
    """The patient's evaluations, newest first (only those not entered in error, if asked),
    each with its clinic for the rules in force."""
    rows = Evaluation.objects.filter(patient=patient).select_related("patient__clinic")
    return rows.filter(status=RecordStatus.ACTIVE) if active else rows


def stored(evaluation_id: Any) -> Evaluation:
    """The evaluation as stored now (a form edits its own copy)."""
    return Evaluation.objects.get(pk=evaluation_id)


def amendments(evaluation: Evaluation) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(amends=evaluation)


def with_result(evaluation: Evaluation) -> Evaluation:
    """Drafts show the decision as it would be if signed now; signed ones show what was signed."""
    if not evaluation.is_signed:
        result = result_json(assess(evaluation), evaluation.overrides)
        evaluation.decision = result["decision"]
        evaluation.reasons = result["reasons"]
        evaluation.trd = result["trd"]
    # What the rules looked at, with their sources: shown when they found nothing.
    evaluation.checked = checked(evaluation.product, evaluation.label_region)  # type: ignore[attr-defined]
    return evaluation
