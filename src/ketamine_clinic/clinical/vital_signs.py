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
    """Defaults; a clinic may change any of them (Clinic.session_settings).

    Heart rate, SpO2 and respiratory rate use the bands of NEWS2 (Royal College of
    Physicians, National Early Warning Score 2, 2017): a single parameter scoring 3 (the red
    band: heart rate <= 40 or >= 131, SpO2 <= 91%, respiratory rate <= 8 or >= 25, systolic
    <= 90) stops dosing that day; one scoring 2 (heart rate 111-130, SpO2 92-93%,
    respiratory rate 21-24) holds the dose until a prescriber decides."""

    # Spravato label 2.1: assess BP before dosing; if above 140/90, weigh the risk and consider
    # delaying. Here: hold, unless a prescriber overrides with a written reason.
    esketamine_hold_mmhg: tuple[int, int] = (140, 90)
    # Racemic ketamine has no label for depression. Above 140/90 (stage 2 hypertension, ACC/AHA
    # 2017, Whelton et al., Hypertension 2018;71:e13) the chair shows a warning; above
    # 160/100 (JNC 7 stage 2, Chobanian et al., JAMA 2003;289:2560) the dose is held until a
    # prescriber decides. Journey 2's 150/95 is a warning, within limits.
    racemic_warn_mmhg: tuple[int, int] = (140, 90)
    racemic_hold_mmhg: tuple[int, int] = (160, 100)
    # Any route: above 180/110 no dosing today, override or not. ACC/AHA 2017 calls above
    # 180/120 severe hypertension; the library stops 10 mmHg of diastolic below that. The
    # 180/100 of CLINICAL.md 3 is a secondary source's rule for stopping during an infusion,
    # which Yip et al. (Front Psychiatry 2022;13:1017504) find too aggressive; it is the
    # in-session alert below (180 systolic), not a pre-dose block.
    no_dosing_mmhg: tuple[int, int] = (180, 110)
    # Pre-dose, NEWS2 bands (class docstring). Bradycardia is a heart rate under 50 (Kusumoto
    # et al., 2018 ACC/AHA/HRS bradycardia guideline, Circulation 2019;140:e382): held.
    hold_heart_rate_above: int = 110
    no_dosing_heart_rate_above: int = 130
    hold_heart_rate_below: int = 50
    no_dosing_heart_rate_below: int = 41
    hold_spo2_below: int = 94
    no_dosing_spo2_below: int = 92
    hold_respiratory_rate_above: int = 20
    no_dosing_respiratory_rate_above: int = 24
    no_dosing_respiratory_rate_below: int = 9
    # Alerts during monitoring (issue #6; CLINICAL.md 3, secondary: stop or pause when BP or
    # heart rate rise this far). A reading strictly past a limit alerts at once.
    alert_systolic_above: int = 180
    alert_diastolic_above: int = 110
    alert_heart_rate_above: int = 110
    alert_spo2_below: int = 92
    # Hypotension: systolic 90 or less (NEWS2 red band); bradycardia under 50 (above).
    alert_systolic_below: int = 91
    alert_heart_rate_below: int = 50
    # Respiratory depression: the label asks for pulse oximetry and watching for it; a
    # respiratory rate under 10 a minute is the usual bedside sign (clinic-configurable).
    alert_respiratory_rate_below: int = 10
    # MOAA/S 1 responds only to a painful stimulus, 0 not at all (Chernik et al., J Clin
    # Psychopharmacol 1990): deep sedation, beyond what depression dosing intends.
    alert_moaas_at_or_below: int = 1
    # Monitoring cadence (CLINICAL.md 3: every 10 min during an infusion and every 15 after, in
    # published series; CLINICAL.md 1: esketamine BP at about 40 min after dosing).
    infusion_vitals_every_min: int = 10
    after_infusion_vitals_every_min: int = 15
    esketamine_bp_at_min: int = 40
    # Racemic ketamine has no labelled minimum observation: the clinic sets one.
    racemic_min_observation_after_dose_min: int = 30


THRESHOLD_KEYS = frozenset(f.name for f in fields(Thresholds))

# What each threshold means, with its unit, as the clinic settings screen names it.
THRESHOLD_LABELS = {
    "esketamine_hold_mmhg": "Esketamine: hold the dose above (mmHg)",
    "racemic_warn_mmhg": "Racemic ketamine: warn above (mmHg)",
    "racemic_hold_mmhg": "Racemic ketamine: hold the dose above (mmHg)",
    "no_dosing_mmhg": "Any route: no dosing today above (mmHg)",
    "hold_heart_rate_above": "Hold: heart rate above (beats/min)",
    "no_dosing_heart_rate_above": "No dosing: heart rate above (beats/min)",
    "hold_heart_rate_below": "Hold: heart rate below (beats/min)",
    "no_dosing_heart_rate_below": "No dosing: heart rate below (beats/min)",
    "hold_spo2_below": "Hold: SpO₂ below (%)",
    "no_dosing_spo2_below": "No dosing: SpO₂ below (%)",
    "hold_respiratory_rate_above": "Hold: respiratory rate above (breaths/min)",
    "no_dosing_respiratory_rate_above": "No dosing: respiratory rate above (breaths/min)",
    "no_dosing_respiratory_rate_below": "No dosing: respiratory rate below (breaths/min)",
    "alert_systolic_above": "Alert: systolic above (mmHg)",
    "alert_diastolic_above": "Alert: diastolic above (mmHg)",
    "alert_heart_rate_above": "Alert: heart rate above (beats/min)",
    "alert_spo2_below": "Alert: SpO₂ below (%)",
    "alert_systolic_below": "Alert: systolic below (mmHg)",
    "alert_heart_rate_below": "Alert: heart rate below (beats/min)",
    "alert_respiratory_rate_below": "Alert: respiratory rate below (breaths/min)",
    "alert_moaas_at_or_below": "Alert: MOAA/S at or below",
    "infusion_vitals_every_min": "Vital signs during an infusion, every (minutes)",
    "after_infusion_vitals_every_min": "Vital signs after an infusion, every (minutes)",
    "esketamine_bp_at_min": "Esketamine: blood pressure again at (minutes after the dose)",
    "racemic_min_observation_after_dose_min": "Racemic ketamine: least observation (minutes)",
}
# Which way each threshold tightens: a clinic may make the chair stricter than the library's
# defaults, never looser (a prescriber overrides a hold for one patient, with a reason).
# "lower": a lower number stops, holds or alerts sooner, or checks more often.
HIGHER_IS_TIGHTER = frozenset(
    {
        "hold_heart_rate_below",
        "no_dosing_heart_rate_below",
        "hold_spo2_below",
        "no_dosing_spo2_below",
        "no_dosing_respiratory_rate_below",
        "alert_spo2_below",
        "alert_systolic_below",
        "alert_heart_rate_below",
        "alert_respiratory_rate_below",
        "alert_moaas_at_or_below",
        "racemic_min_observation_after_dose_min",
    }
)
# The esketamine label asks for blood pressure at about 40 minutes: within 5 minutes of it.
ESKETAMINE_BP_WINDOW = (35, 45)


class ThresholdError(RuleError):
    """A clinic threshold setting that cannot be used; `field` names the setting."""


def _check_tighter(key: str, value: Any) -> None:
    library = getattr(Thresholds(), key)
    if key == "esketamine_bp_at_min":
        low, high = ESKETAMINE_BP_WINDOW
        if not low <= value <= high:
            raise ThresholdError(key, f"must be from {low} to {high} minutes (label: about 40)")
        return
    pairs = zip(value, library, strict=True) if isinstance(library, tuple) else [(value, library)]
    for mine, theirs in pairs:
        looser = mine < theirs if key in HIGHER_IS_TIGHTER else mine > theirs
        if looser:
            shown = "/".join(map(str, library)) if isinstance(library, tuple) else library
            way = "at least" if key in HIGHER_IS_TIGHTER else "at most"
            raise ThresholdError(
                key,
                f"must be {way} the library's {shown}: a clinic may tighten it, never relax it",
            )


def thresholds(settings: dict[str, Any] | None) -> Thresholds:
    """The clinic's thresholds: the defaults with its changes, each checked, and each at least
    as strict as the library's; an unknown key or a bad value is an error, never a silent
    default."""
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
            low = 0 if key == "alert_moaas_at_or_below" else 1
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 300:
                raise ThresholdError(key, f"must be a whole number from {low} to 300")
            values[key] = value
        _check_tighter(key, values[key])
    return replace(Thresholds(), **values)


Verdict = Literal["ok", "warn", "hold", "no_dosing"]


@dataclass(frozen=True)
class PreDoseBp:
    verdict: Verdict
    message: str


def above(reading: tuple[int, int], limit: tuple[int, int]) -> bool:
    """Either number above its limit (140/90 means systolic > 140 or diastolic > 90)."""
    return reading[0] > limit[0] or reading[1] > limit[1]


def pre_dose_bp(systolic: int, diastolic: int, product: str, limits: Thresholds) -> PreDoseBp:
    """Whether the blood pressure before dosing allows it: ok, a warning, hold (a prescriber
    may override with a reason), or no dosing today (no override)."""
    reading = (systolic, diastolic)
    text = f"{systolic}/{diastolic} mmHg"

    def limit(pair: tuple[int, int]) -> str:
        return "/".join(map(str, pair))

    if above(reading, limits.no_dosing_mmhg):
        return PreDoseBp(
            "no_dosing", f"{text} is above {limit(limits.no_dosing_mmhg)}: no dosing today"
        )
    hold = (
        limits.esketamine_hold_mmhg if product == "esketamine_nasal" else limits.racemic_hold_mmhg
    )
    if above(reading, hold):
        return PreDoseBp(
            "hold",
            f"{text} is above {limit(hold)}: hold the dose unless a prescriber overrides "
            "with a reason",
        )
    if product != "esketamine_nasal" and above(reading, limits.racemic_warn_mmhg):
        return PreDoseBp(
            "warn", f"{text} is above {limit(limits.racemic_warn_mmhg)}: watch it during the dose"
        )
    return PreDoseBp("ok", f"{text}")


def pre_dose_vitals(
    heart_rate: int | None, spo2: int | None, respiratory_rate: int | None, limits: Thresholds
) -> tuple[list[str], list[str]]:
    """Heart rate, SpO2 and respiratory rate before dosing: (no dosing today, hold for a
    prescriber), by the NEWS2 bands (Thresholds)."""
    stop: list[str] = []
    hold: list[str] = []
    if heart_rate is not None:
        if heart_rate > limits.no_dosing_heart_rate_above:
            stop.append(f"heart rate {heart_rate} is above {limits.no_dosing_heart_rate_above}/min")
        elif heart_rate < limits.no_dosing_heart_rate_below:
            stop.append(f"heart rate {heart_rate} is below {limits.no_dosing_heart_rate_below}/min")
        elif heart_rate > limits.hold_heart_rate_above:
            hold.append(f"heart rate {heart_rate} is above {limits.hold_heart_rate_above}/min")
        elif heart_rate < limits.hold_heart_rate_below:
            hold.append(f"heart rate {heart_rate} is below {limits.hold_heart_rate_below}/min")
    if spo2 is not None:
        if spo2 < limits.no_dosing_spo2_below:
            stop.append(f"SpO2 {spo2}% is below {limits.no_dosing_spo2_below}%")
        elif spo2 < limits.hold_spo2_below:
            hold.append(f"SpO2 {spo2}% is below {limits.hold_spo2_below}%")
    if respiratory_rate is not None:
        rate = f"respiratory rate {respiratory_rate}"
        if respiratory_rate > limits.no_dosing_respiratory_rate_above:
            stop.append(f"{rate} is above {limits.no_dosing_respiratory_rate_above}/min")
        elif respiratory_rate < limits.no_dosing_respiratory_rate_below:
            stop.append(f"{rate} is below {limits.no_dosing_respiratory_rate_below}/min")
        elif respiratory_rate > limits.hold_respiratory_rate_above:
            hold.append(f"{rate} is above {limits.hold_respiratory_rate_above}/min")
    return [f"{s}: no dosing today" for s in stop], [f"{h}: hold the dose" for h in hold]


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


@dataclass(frozen=True)
class Alert:
    kind: str  # hypertension, tachycardia, bradycardia, hypotension, desaturation, ...
    text: str


# What the nurse does first, shown beside the alert; the prescriber decides what follows.
# Decision support: these are first steps, not orders. On an infusion, "stop" alerts stop it
# and "pause" alerts pause it until the reading settles.
SUGGESTED = {
    "hypertension": ("pause", "recheck in 5 minutes, tell the prescriber"),
    "tachycardia": ("pause", "recheck in 5 minutes, tell the prescriber"),
    "hypotension": ("stop", "lay the patient flat, recheck, call the prescriber"),
    "bradycardia": ("stop", "check responsiveness and airway, call the prescriber"),
    "desaturation": (
        "stop",
        "open the airway, prompt deep breaths, give oxygen, call the prescriber",
    ),
    "respiratory_depression": (
        "stop",
        "stimulate, open the airway, give oxygen, call the prescriber",
    ),
    "deep_sedation": (
        "stop",
        "check airway, breathing and circulation, give oxygen, call the prescriber at once",
    ),
}


def vital_alerts(reading: Reading, limits: Thresholds) -> list[Alert]:
    """What in this reading needs attention now, by kind."""
    found = []
    systolic, diastolic = reading.systolic_mmhg, reading.diastolic_mmhg
    rate, spo2, breaths = reading.heart_rate_bpm, reading.spo2_pct, reading.respiratory_rate_per_min
    if systolic is not None and systolic > limits.alert_systolic_above:
        found.append(
            Alert("hypertension", f"systolic {systolic} > {limits.alert_systolic_above} mmHg")
        )
    if diastolic is not None and diastolic > limits.alert_diastolic_above:
        found.append(
            Alert("hypertension", f"diastolic {diastolic} > {limits.alert_diastolic_above} mmHg")
        )
    if systolic is not None and systolic < limits.alert_systolic_below:
        found.append(
            Alert("hypotension", f"systolic {systolic} < {limits.alert_systolic_below} mmHg")
        )
    if rate is not None and rate > limits.alert_heart_rate_above:
        found.append(
            Alert("tachycardia", f"heart rate {rate} > {limits.alert_heart_rate_above}/min")
        )
    if rate is not None and rate < limits.alert_heart_rate_below:
        found.append(
            Alert("bradycardia", f"heart rate {rate} < {limits.alert_heart_rate_below}/min")
        )
    if spo2 is not None and spo2 < limits.alert_spo2_below:
        found.append(Alert("desaturation", f"SpO2 {spo2}% < {limits.alert_spo2_below}%"))
    if breaths is not None and breaths < limits.alert_respiratory_rate_below:
        found.append(
            Alert(
                "respiratory_depression",
                f"respiratory rate {breaths} < {limits.alert_respiratory_rate_below}/min",
            )
        )
    return found


def alerts(reading: Reading, limits: Thresholds) -> list[str]:
    """What in this reading needs attention now, in words."""
    return [a.text for a in vital_alerts(reading, limits)]


def sedation_alert(moaas: int | None, limits: Thresholds) -> Alert | None:
    if moaas is None or moaas > limits.alert_moaas_at_or_below:
        return None
    return Alert("deep_sedation", f"MOAA/S {moaas}: deep sedation")


def suggestion(kinds: list[str], infusing: bool) -> tuple[str | None, list[str]]:
    """For the alerts standing now: what to do with a running infusion (stop beats pause),
    and the first steps, each once."""
    steps: list[str] = []
    pump: str | None = None
    for kind in kinds:
        action, step = SUGGESTED[kind]
        text = (
            f"{action.capitalize()} the infusion, {step}"
            if infusing
            else step[0].upper() + step[1:]
        )
        if text not in steps:
            steps.append(text)
        if infusing and (pump is None or action == "stop"):
            pump = action
    return pump, steps
