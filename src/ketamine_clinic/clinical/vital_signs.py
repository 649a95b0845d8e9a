"""Vital signs at the chair: plausibility, the pre-dose blood-pressure rules and the alerts
during monitoring. Every threshold is a clinic-configurable default with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from ketamine_clinic.clinical.rule_error import RuleError

# Plausibility: readings outside these are typing errors, refused with the field named.
PLAUSIBLE = {
    "systolic_mmhg": (50, 300),
    "diastolic_mmhg": (20, 200),
    "heart_rate_bpm": (20, 250),
    "spo2_pct": (50, 100),
    "respiratory_rate_per_min": (2, 60),
}


@dataclass(frozen=True)
class Thresholds:
    """Defaults; a clinic may change any of them (Clinic.session_settings)."""

    # Spravato label 2.1: assess BP before dosing; if above 140/90, weigh the risk and consider
    # delaying. Here: hold, unless a prescriber overrides with a written reason.
    esketamine_hold_mmhg: tuple[int, int] = (140, 90)
    # Any route, issue #6: above 180/110 no dosing today, override or not (a hypertensive
    # urgency level; CLINICAL.md 3 notes published cut-offs vary, so it is configurable).
    no_dosing_mmhg: tuple[int, int] = (180, 110)
    # Alerts during monitoring (issue #6; CLINICAL.md 3, secondary: stop or pause when BP or
    # heart rate rise this far). A reading strictly past a limit alerts at once.
    alert_systolic_above: int = 180
    alert_diastolic_above: int = 110
    alert_heart_rate_above: int = 110
    alert_spo2_below: int = 92
    # Respiratory depression: the label asks for pulse oximetry and watching for it; a
    # respiratory rate under 10 a minute is the usual bedside sign (clinic-configurable).
    alert_respiratory_rate_below: int = 10
    # Monitoring cadence (CLINICAL.md 3: every 10 min during an infusion and every 15 after, in
    # published series; CLINICAL.md 1: esketamine BP at about 40 min after dosing).
    infusion_vitals_every_min: int = 10
    after_infusion_vitals_every_min: int = 15
    esketamine_bp_at_min: int = 40
    # Racemic ketamine has no labelled minimum observation: the clinic sets one.
    racemic_min_observation_after_dose_min: int = 30


THRESHOLD_KEYS = frozenset(f.name for f in fields(Thresholds))


class ThresholdError(RuleError):
    """A clinic threshold setting that cannot be used; `field` names the setting."""


def thresholds(settings: dict[str, Any] | None) -> Thresholds:
    """The clinic's thresholds: the defaults with its changes, each checked; an unknown key or
    a bad value is an error, never a silent default."""
    settings = dict(settings or {})
    unknown = set(settings) - THRESHOLD_KEYS
    if unknown:
        raise ThresholdError(sorted(unknown)[0], "is not a session setting")
    values: dict[str, Any] = {}
    for key, value in settings.items():
        if key.endswith("_mmhg"):
            if (
                not isinstance(value, list | tuple)
                or len(value) != 2
                or not all(isinstance(v, int) and 60 <= v <= 250 for v in value)
            ):
                raise ThresholdError(key, "must be [systolic, diastolic], each 60-250 mmHg")
            values[key] = (value[0], value[1])
        else:
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 300:
                raise ThresholdError(key, "must be a whole number from 1 to 300")
            values[key] = value
    return replace(Thresholds(), **values)


Verdict = Literal["ok", "hold", "no_dosing"]


@dataclass(frozen=True)
class PreDoseBp:
    verdict: Verdict
    message: str


def above(reading: tuple[int, int], limit: tuple[int, int]) -> bool:
    """Either number above its limit (140/90 means systolic > 140 or diastolic > 90)."""
    return reading[0] > limit[0] or reading[1] > limit[1]


def pre_dose_bp(systolic: int, diastolic: int, product: str, limits: Thresholds) -> PreDoseBp:
    """Whether the blood pressure before dosing allows it: ok, hold (a prescriber may
    override with a reason), or no dosing today (no override)."""
    reading = (systolic, diastolic)
    text = f"{systolic}/{diastolic} mmHg"
    if above(reading, limits.no_dosing_mmhg):
        high = "/".join(map(str, limits.no_dosing_mmhg))
        return PreDoseBp("no_dosing", f"{text} is above {high}: no dosing today")
    if product == "esketamine_nasal" and above(reading, limits.esketamine_hold_mmhg):
        hold = "/".join(map(str, limits.esketamine_hold_mmhg))
        return PreDoseBp(
            "hold",
            f"{text} is above {hold}: hold the dose unless a prescriber overrides with a reason",
        )
    return PreDoseBp("ok", f"{text}")


@dataclass(frozen=True)
class Reading:
    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    heart_rate_bpm: int | None = None
    spo2_pct: int | None = None
    respiratory_rate_per_min: int | None = None


def implausible(reading: Reading) -> tuple[str, str] | None:
    """The first field out of its plausible range, with why; None when all are plausible."""
    values = vars(reading)
    if all(v is None for v in values.values()):
        return ("vitals", "record at least one reading")
    for name, (low, high) in PLAUSIBLE.items():
        value = values[name]
        if value is not None and not low <= value <= high:
            return (name, f"{value} is outside {low}-{high}: check the reading")
    if (reading.systolic_mmhg is None) != (reading.diastolic_mmhg is None):
        return ("diastolic_mmhg", "record systolic and diastolic together")
    if (
        reading.systolic_mmhg is not None
        and reading.diastolic_mmhg is not None
        and reading.diastolic_mmhg >= reading.systolic_mmhg
    ):
        return ("diastolic_mmhg", "must be below the systolic pressure")
    return None


def alerts(reading: Reading, limits: Thresholds) -> list[str]:
    """What in this reading needs attention now."""
    found = []
    if reading.systolic_mmhg is not None and reading.systolic_mmhg > limits.alert_systolic_above:
        found.append(f"systolic {reading.systolic_mmhg} > {limits.alert_systolic_above} mmHg")
    if reading.diastolic_mmhg is not None and reading.diastolic_mmhg > limits.alert_diastolic_above:
        found.append(f"diastolic {reading.diastolic_mmhg} > {limits.alert_diastolic_above} mmHg")
    if (
        reading.heart_rate_bpm is not None
        and reading.heart_rate_bpm > limits.alert_heart_rate_above
    ):
        found.append(f"heart rate {reading.heart_rate_bpm} > {limits.alert_heart_rate_above}/min")
    if reading.spo2_pct is not None and reading.spo2_pct < limits.alert_spo2_below:
        found.append(f"SpO2 {reading.spo2_pct}% < {limits.alert_spo2_below}%")
    if (
        reading.respiratory_rate_per_min is not None
        and reading.respiratory_rate_per_min < limits.alert_respiratory_rate_below
    ):
        found.append(
            f"respiratory rate {reading.respiratory_rate_per_min} < "
            f"{limits.alert_respiratory_rate_below}/min"
        )
    return found
