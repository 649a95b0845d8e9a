"""Treatment resistance: which antidepressant trials count as adequate failures, and the
Maudsley Staging Method."""

from __future__ import annotations

from typing import Literal

from ketamine_clinic.clinical.eligibility.facts import (
    Facts,
    Maudsley,
    Reason,
    Settings,
    Trial,
    is_esketamine,
)
from ketamine_clinic.clinical.eligibility.sources import APA_2017, MGH_ATRQ, SPRAVATO_US


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
                SPRAVATO_US if is_esketamine(facts) else APA_2017,
            )
        )
    return reasons
