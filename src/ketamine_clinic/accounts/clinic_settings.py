"""A clinic's clinical settings (the chair's thresholds, the eligibility rules, the remission
cut-offs) as a versioned, audited record: every change has its author, time and reason, and
what the settings were before. Each setting is checked by the rule that reads it, and no
change relaxes the library's limits (clinical/vital_signs.py, clinical/eligibility.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic, ClinicSettingsChange
from ketamine_clinic.clinical import appointments as appointment_rules
from ketamine_clinic.clinical.eligibility import (
    EVALUATION_VALID_DAYS,
    EVALUATION_VALID_DAYS_BOUNDS,
    SEVERITY_ORDER,
    Settings,
)
from ketamine_clinic.clinical.instruments import BUILTIN
from ketamine_clinic.clinical.rule_error import RuleError
from ketamine_clinic.clinical.vital_signs import ThresholdError, thresholds

GROUPS = (
    "session_settings",
    "eligibility_settings",
    "remission_thresholds",
    "appointment_settings",
    "message_settings",
)
MIN_REASON = 10


class SettingsError(RuleError):
    """A setting that cannot be used; `field` names it."""


def snapshot(clinic: Clinic) -> dict[str, Any]:
    return {group: dict(getattr(clinic, group) or {}) for group in GROUPS}


def apply_session(current: dict[str, Any], specs: list[str]) -> dict[str, Any]:
    """KEY=VALUE chair thresholds (KEY=default removes one), checked by the rules that read
    them: never looser than the library's."""
    current = dict(current)
    for spec in specs:
        key, _, value = spec.partition("=")
        if value == "default":
            current.pop(key, None)
            continue
        try:
            current[key] = (
                [int(part) for part in value.split("/")] if key.endswith("_mmhg") else int(value)
            )
        except ValueError:
            raise SettingsError(key, f"{value!r} is not a number") from None
    try:
        thresholds(current)
    except ThresholdError as exc:
        raise SettingsError(exc.field, exc.message) from None
    return current


def apply_eligibility(current: dict[str, Any], specs: list[str]) -> dict[str, Any]:
    """KEY=VALUE eligibility settings and rule.CODE=severity, checked by the rules' own
    validation: never below the library's floors."""
    current = {**current, "severity_overrides": dict(current.get("severity_overrides") or {})}
    numbers = {
        "adequate_trial_weeks": float,
        "min_failed_trials": int,
        "recent_cardiovascular_event_weeks": int,
        "max_evaluation_age_days": int,
    }
    for spec in specs:
        key, _, value = spec.partition("=")
        if value == "default":
            if key.startswith("rule."):
                current["severity_overrides"].pop(key.removeprefix("rule."), None)
            else:
                current.pop(key, None)
            continue
        try:
            if key in numbers:
                current[key] = numbers[key](value)
            elif key in ("bp_precaution_mmhg", "bp_relative_mmhg"):
                systolic, diastolic = (int(part) for part in value.split("/"))
                current[key] = [systolic, diastolic]
            elif key.startswith("rule.") and value in SEVERITY_ORDER:
                current["severity_overrides"][key.removeprefix("rule.")] = value
            else:
                raise ValueError("unknown setting or value")
        except ValueError as exc:
            raise SettingsError(key, str(exc)) from None
    if not current["severity_overrides"]:
        current.pop("severity_overrides")
    check = {k: v for k, v in current.items() if k != "max_evaluation_age_days"}
    for key in ("bp_precaution_mmhg", "bp_relative_mmhg"):
        if key in check:
            check[key] = tuple(check[key])
    try:
        Settings(**check)
    except (TypeError, ValueError) as exc:
        raise SettingsError("eligibility", str(exc)) from None
    low, high = EVALUATION_VALID_DAYS_BOUNDS
    if not low <= current.get("max_evaluation_age_days", EVALUATION_VALID_DAYS) <= high:
        raise SettingsError("max_evaluation_age_days", f"must be between {low} and {high}")
    return current


def apply_appointments(current: dict[str, Any], specs: list[str]) -> dict[str, Any]:
    """KEY=VALUE appointment lengths and capacity (clinical/appointments.py): minutes.KIND,
    check_in_min, iv_recovery_min, im_recovery_min, oral_recovery_min,
    esketamine_observation_min (never under the label's 120), patients_per_nurse,
    late_cancel_hours, prescriber_on_site=PRODUCT,PRODUCT (esketamine always)."""
    current = {**current, "minutes": dict(current.get("minutes") or {})}
    for spec in specs:
        key, _, value = spec.partition("=")
        if key.startswith("minutes."):
            kind = key.removeprefix("minutes.")
            if value == "default":
                current["minutes"].pop(kind, None)
            elif value.isdigit():
                current["minutes"][kind] = int(value)
            else:
                raise SettingsError(key, f"{value!r} is not a number of minutes")
        elif value == "default":
            current.pop(key, None)
        elif key == "prescriber_on_site":
            current[key] = sorted(p.strip() for p in value.split(",") if p.strip())
        elif value.isdigit():
            current[key] = int(value)
        else:
            raise SettingsError(key, f"{value!r} is not a whole number")
    if not current["minutes"]:
        current.pop("minutes")
    try:
        appointment_rules.settings_from(current)
    except appointment_rules.AppointmentError as exc:
        raise SettingsError(exc.field, exc.message) from None
    return current


def apply_remission(current: dict[str, Any], specs: list[str]) -> dict[str, Any]:
    """INSTRUMENT=TOTAL remission cut-offs (INSTRUMENT=default removes one): outcome measures
    only, a whole number within the instrument's range."""
    current = dict(current)
    for spec in specs:
        key, _, value = spec.partition("=")
        instrument = BUILTIN.get(key)
        if instrument is None or not instrument.outcome_measure:
            outcome_ids = ", ".join(i.id for i in BUILTIN.values() if i.outcome_measure)
            raise SettingsError(key or "remission", f"not an outcome measure ({outcome_ids})")
        if value == "default":
            current.pop(key, None)
            continue
        if not value.isdigit() or not instrument.total_min <= int(value) <= instrument.total_max:
            raise SettingsError(
                key,
                f"needs a whole number between {instrument.total_min} and {instrument.total_max}",
            )
        current[key] = int(value)
    return current


def change(actor: Actor, clinic: Clinic, after: dict[str, Any], reason: str) -> Any:
    """Put new clinical settings in force as the next version, with the reason, in one
    transaction with its audit row. Returns the version, or None when nothing changed."""
    if len(reason.strip()) < MIN_REASON:
        raise SettingsError("reason", f"say why ({MIN_REASON} characters or more)")
    with transaction.atomic():
        locked = Clinic.objects.select_for_update().get(pk=clinic.pk)
        before = snapshot(locked)
        after = {group: dict(after.get(group, before[group])) for group in GROUPS}
        if after == before:
            return None
        last = locked.settings_changes.order_by("-version").values_list("version", flat=True)
        version = ClinicSettingsChange.objects.create(
            clinic=locked,
            version=(last.first() or 0) + 1,
            before=before,
            after=after,
            reason=reason.strip(),
            created_by=actor.user,
        )
        for group in GROUPS:
            setattr(locked, group, after[group])
            setattr(clinic, group, after[group])
        locked.save(update_fields=list(GROUPS))
        record_access(
            actor, action="update", what=f"clinic_settings v{version.version}", clinic=locked
        )
    return version


def in_force(clinic_id: Any) -> Any:
    """The version in force (None: the library's defaults), to show where settings apply."""
    return ClinicSettingsChange.objects.filter(clinic_id=clinic_id).order_by("-version").first()
