"""What is given and when: boluses, infusions (a pause or a rate change is a new piece),
intramuscular injections and intranasal device sequences, in minutes from the start."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from ketamine_clinic.pk.errors import PKError

Route = Literal["iv_bolus", "iv_infusion", "im", "intranasal"]
ROUTES: tuple[str, ...] = ("iv_bolus", "iv_infusion", "im", "intranasal")
DEVICE_MG = 28.0  # one esketamine nasal device (label)
DEVICE_SPACING_MIN = 5.0  # devices 5 minutes apart (label)
MAX_DOSE_MG = 1000.0  # far above any depression protocol: larger is a typing error
MAX_DURATION_MIN = 24 * 60.0
MAX_EVENTS = 2000


@dataclass(frozen=True)
class Dose:
    """One administration. `duration_min` is for infusions; `devices` for intranasal, where
    `dose_mg` must be 28 mg per device."""

    route: str
    at_min: float
    dose_mg: float
    duration_min: float = 0.0
    devices: int = 0

    @property
    def rate_mg_per_min(self) -> float:
        return self.dose_mg / self.duration_min

    def device_times(self) -> list[float]:
        return [self.at_min + i * DEVICE_SPACING_MIN for i in range(self.devices)]

    @property
    def ends_min(self) -> float:
        if self.route == "iv_infusion":
            return self.at_min + self.duration_min
        if self.route == "intranasal":
            return self.at_min + (self.devices - 1) * DEVICE_SPACING_MIN
        return self.at_min


def _finite(value: float, field: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise PKError(field, "must be a finite number")
    return float(value)


def check(doses: list[Dose], *, field: str = "regimen") -> list[Dose]:
    """Every dose plausible, in range and of a known route; refused whole otherwise."""
    if not doses:
        raise PKError(field, "give at least one dose")
    if len(doses) > MAX_EVENTS:
        raise PKError(field, f"at most {MAX_EVENTS} doses")
    for n, dose in enumerate(doses):
        where = f"{field}[{n}]"
        if dose.route not in ROUTES:
            raise PKError(f"{where}.route", f"must be one of {', '.join(ROUTES)}")
        at = _finite(dose.at_min, f"{where}.at_min")
        mg = _finite(dose.dose_mg, f"{where}.dose_mg")
        if at < 0:
            raise PKError(f"{where}.at_min", "must not be negative")
        if not 0 < mg <= MAX_DOSE_MG:
            raise PKError(f"{where}.dose_mg", f"must be above 0 and at most {MAX_DOSE_MG:g} mg")
        if dose.route == "iv_infusion":
            duration = _finite(dose.duration_min, f"{where}.duration_min")
            if not 0 < duration <= MAX_DURATION_MIN:
                raise PKError(f"{where}.duration_min", "an infusion lasts above 0 and up to 24 h")
        if dose.route == "intranasal":
            if dose.devices not in (1, 2, 3):
                raise PKError(f"{where}.devices", "1, 2 or 3 devices (28 mg each)")
            if abs(mg - DEVICE_MG * dose.devices) > 1e-9:
                raise PKError(f"{where}.dose_mg", "28 mg per device")
    return doses


def repeat(dose: Dose, every_min: float, count: int) -> list[Dose]:
    """The same dose `count` times, `every_min` apart (a schedule over weeks)."""
    return [replace(dose, at_min=dose.at_min + i * every_min) for i in range(count)]


def on_days(dose: Dose, days: list[float]) -> list[Dose]:
    """The same dose at the same time of day on each of these days (day 0 = the first)."""
    return [replace(dose, at_min=dose.at_min + day * 1440.0) for day in days]


# A twice-weekly induction, Monday and Thursday, for four weeks: 8 doses (esketamine label).
TWICE_WEEKLY_4_WEEKS = [0.0, 3.0, 7.0, 10.0, 14.0, 17.0, 21.0, 24.0]
