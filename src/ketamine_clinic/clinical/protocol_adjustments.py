"""A clinic's copy of a library protocol: which parts it may adjust and how far.

A clinic narrows a protocol to its own practice (a lower maximum, twice-weekly induction, a
longer infusion); it never widens it. Every adjusted value must lie inside the library
protocol it copies, so the evidence behind the library (cited there) still covers the copy,
and the absolute ceiling stays the library's. Doses above the copy's maximum still go through
the prescriber's override, exactly as for the library protocol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from ketamine_clinic.clinical.body_weight import POLICIES
from ketamine_clinic.clinical.dosing import ADULT_WEIGHT
from ketamine_clinic.clinical.protocols import LIBRARY, Phase, Protocol
from ketamine_clinic.clinical.rule_error import RuleError

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,49}$")
MAX_SESSIONS_PER_PHASE = 12  # the longest induction in the library's sources is 6-8 sessions
WEEK_HOURS = 7 * 24

WEIGHT_FIELDS = ("min_mg_per_kg", "default_mg_per_kg", "max_mg_per_kg")
DURATION_FIELDS = ("min_duration_min", "default_duration_min", "max_duration_min")
# Limits a clinic may only lower (each at most the library's, above zero).
LOWER_ONLY = ("max_mg_per_session", "max_mg_per_kg_per_week", "max_mg_per_week")
DOSING_WEIGHT_FIELDS = ("dosing_weight", "dosing_weight_cap_kg")
ADJUSTABLE = frozenset(
    {
        *WEIGHT_FIELDS,
        *DURATION_FIELDS,
        *LOWER_ONLY,
        *DOSING_WEIGHT_FIELDS,
        "weight_max_age_days",
        "doses_mg",
        "phases",
    }
)


class AdjustmentError(RuleError):
    """An adjustment the library does not allow; `field` names it (HTTP 422)."""


def check_key(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise AdjustmentError(
            "key", "3-50 lowercase letters, digits or hyphens, starting with a letter or digit"
        )
    if key in LIBRARY:
        raise AdjustmentError("key", f"{key!r} is a library protocol; choose another key")


def _decimal(field: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AdjustmentError(field, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise AdjustmentError(field, "must be a finite number")
    return number


def _triple(
    base: Protocol, names: tuple[str, str, str], changes: Mapping[str, Any], what: str
) -> dict[str, Decimal]:
    """min <= default <= max, all inside the library's min..max."""
    low_name, default_name, high_name = names
    library_low, library_high = getattr(base, low_name), getattr(base, high_name)
    if library_low is None or library_high is None:
        for name in names:
            if name in changes:
                raise AdjustmentError(name, f"{base.name} has no {what} to adjust")
        return {}
    values = {
        name: _decimal(name, changes[name]) if name in changes else getattr(base, name)
        for name in names
    }
    for name in names:
        if not library_low <= values[name] <= library_high:
            raise AdjustmentError(
                name,
                f"{values[name]} is outside the library's {what} range "
                f"{library_low}-{library_high}",
            )
    if not values[low_name] <= values[default_name] <= values[high_name]:
        raise AdjustmentError(
            default_name,
            f"the {what} must keep minimum <= default <= maximum "
            f"({values[low_name]} <= {values[default_name]} <= {values[high_name]})",
        )
    return values


def _lower(base: Protocol, name: str, value: Any) -> Decimal:
    """A limit the copy may lower, never raise or remove."""
    library = getattr(base, name)
    if library is None:
        raise AdjustmentError(name, f"{base.name} has no such limit")
    number = _decimal(name, value)
    if not 0 < number <= library:
        raise AdjustmentError(name, f"must be above 0 and at most the library's {library}")
    return number


def _dosing_weight(base: Protocol, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Any policy where the library doses on actual weight (each gives at most the actual
    weight, body_weight.py); otherwise the library's own. A capped weight needs its cap."""
    if not base.weight_based:
        for name in DOSING_WEIGHT_FIELDS:
            if name in changes:
                raise AdjustmentError(name, f"{base.name} is not dosed by weight")
        return {}
    policy = changes.get("dosing_weight", base.dosing_weight)
    if policy not in POLICIES:
        raise AdjustmentError("dosing_weight", f"must be one of {', '.join(POLICIES)}")
    if base.dosing_weight != "actual" and policy != base.dosing_weight:
        raise AdjustmentError("dosing_weight", f"must stay {base.dosing_weight!r}")
    values: dict[str, Any] = {"dosing_weight": policy, "dosing_weight_cap_kg": None}
    if policy == "actual_capped":
        cap = changes.get("dosing_weight_cap_kg", base.dosing_weight_cap_kg)
        if cap is None:
            raise AdjustmentError("dosing_weight_cap_kg", "a capped weight needs its cap in kg")
        cap = _decimal("dosing_weight_cap_kg", cap)
        low, high = ADULT_WEIGHT
        if not low <= cap <= high:
            raise AdjustmentError("dosing_weight_cap_kg", f"must be from {low} to {high} kg")
        values["dosing_weight_cap_kg"] = cap
    elif changes.get("dosing_weight_cap_kg") is not None:
        raise AdjustmentError("dosing_weight_cap_kg", "only for a capped actual weight")
    return values


def _doses(base: Protocol, value: Any) -> tuple[int, ...]:
    if not base.doses_mg:
        raise AdjustmentError("doses_mg", f"{base.name} is dosed by weight, not fixed doses")
    if not isinstance(value, list | tuple) or not value:
        raise AdjustmentError("doses_mg", "must be a non-empty list of doses in mg")
    if any(not isinstance(d, int) or isinstance(d, bool) for d in value):
        raise AdjustmentError("doses_mg", "doses are whole numbers of mg")
    doses = tuple(sorted(set(value)))
    extra = [d for d in doses if d not in base.doses_mg]
    if extra:
        raise AdjustmentError(
            "doses_mg",
            f"{', '.join(map(str, extra))} mg is not a dose of {base.name} "
            f"({', '.join(map(str, base.doses_mg))} mg)",
        )
    for start in (base.start_mg, base.start_mg_65_plus):
        if start is not None and start not in doses:
            raise AdjustmentError("doses_mg", f"must keep the starting dose of {start} mg")
    return doses


def _phases(base: Protocol, value: Any) -> tuple[Phase, ...]:
    """Same phases in the same order; fewer sessions, fewer a week, or wider spacing."""
    if not isinstance(value, list | tuple) or len(value) != len(base.phases):
        raise AdjustmentError(
            "phases", f"give all {len(base.phases)} phases of {base.name}, in order"
        )
    phases = []
    for index, (library, item) in enumerate(zip(base.phases, value, strict=True)):
        field = f"phases[{index}]"
        if not isinstance(item, Mapping):
            raise AdjustmentError(field, "must be an object")
        unknown = set(item) - {"name", "sessions", "per_week", "min_hours_apart"}
        if unknown:
            raise AdjustmentError(field, f"unknown field(s): {', '.join(sorted(unknown))}")
        if item.get("name", library.name) != library.name:
            raise AdjustmentError(f"{field}.name", f"must be {library.name!r}")
        sessions = item.get("sessions", library.sessions)
        per_week = item.get("per_week", library.per_week)
        hours = item.get("min_hours_apart", library.min_hours_apart)
        if library.sessions is None:
            if sessions is not None:
                raise AdjustmentError(f"{field}.sessions", "this phase is as needed: leave it out")
        elif not isinstance(sessions, int) or not 1 <= sessions <= MAX_SESSIONS_PER_PHASE:
            raise AdjustmentError(
                f"{field}.sessions", f"must be a whole number from 1 to {MAX_SESSIONS_PER_PHASE}"
            )
        if not isinstance(per_week, int) or not 1 <= per_week <= library.per_week:
            raise AdjustmentError(
                f"{field}.per_week", f"must be a whole number from 1 to {library.per_week}"
            )
        if not isinstance(hours, int) or not library.min_hours_apart <= hours <= 4 * WEEK_HOURS:
            raise AdjustmentError(
                f"{field}.min_hours_apart",
                f"must be from {library.min_hours_apart} to {4 * WEEK_HOURS} hours",
            )
        if per_week > 1 and hours * (per_week - 1) >= WEEK_HOURS:
            raise AdjustmentError(
                f"{field}.per_week", f"{per_week} a week cannot be {hours} hours apart"
            )
        phases.append(Phase(library.name, sessions, per_week, hours))
    return tuple(phases)


def adjust(
    base: Protocol, *, key: str, version: int, name: str, changes: Mapping[str, Any]
) -> Protocol:
    """The clinic's protocol: the library protocol with `changes`, checked against it."""
    check_key(key)
    if not name.strip():
        raise AdjustmentError("name", "must not be empty")
    unknown = set(changes) - ADJUSTABLE
    if unknown:
        raise AdjustmentError(
            sorted(unknown)[0],
            f"cannot be adjusted; a clinic may adjust {', '.join(sorted(ADJUSTABLE))}",
        )
    values: dict[str, Any] = {}
    values |= _triple(base, WEIGHT_FIELDS, changes, "mg/kg")
    values |= _triple(base, DURATION_FIELDS, changes, "infusion duration")
    for limit in LOWER_ONLY:
        if limit in changes:
            number = _lower(base, limit, changes[limit])
            values[limit] = int(number) if limit == "max_mg_per_week" else number
    values |= _dosing_weight(base, changes)
    if "weight_max_age_days" in changes:
        days = changes["weight_max_age_days"]
        if not isinstance(days, int) or isinstance(days, bool):
            raise AdjustmentError("weight_max_age_days", "must be a whole number of days")
        if not 1 <= days <= base.weight_max_age_days:
            raise AdjustmentError(
                "weight_max_age_days", f"must be from 1 to the library's {base.weight_max_age_days}"
            )
        values["weight_max_age_days"] = days
    if "doses_mg" in changes:
        values["doses_mg"] = _doses(base, changes["doses_mg"])
    if "phases" in changes:
        values["phases"] = _phases(base, changes["phases"])
    return replace(
        base,
        id=key,
        version=str(version),
        name=name.strip(),
        based_on=f"{base.id} v{base.version}",
        sources=(*base.sources, f"Adjusted by the clinic from {base.id} v{base.version}"),
        **values,
    )
