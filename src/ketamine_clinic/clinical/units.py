"""Quantities that carry their unit in their type, so a dose can never be mistaken for a
volume or a weight: Mg(35) + Ml(3.5) is a TypeError, and every formula says what it takes.

All values are exact Decimals; rounding happens once, at the end, to the precision a person
reads or a pump accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar, Self


@dataclass(frozen=True, order=True)
class Quantity:
    value: Decimal
    unit: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            object.__setattr__(self, "value", Decimal(str(self.value)))
        if not self.value.is_finite():
            raise ValueError(f"{self.unit}: not a finite number")

    def __add__(self, other: Self) -> Self:
        if type(other) is not type(self):
            raise TypeError(f"cannot add {other.unit} to {self.unit}")
        return type(self)(self.value + other.value)

    def rounded(self, places: str) -> Self:
        return type(self)(self.value.quantize(Decimal(places), rounding=ROUND_HALF_UP))

    def __str__(self) -> str:
        return f"{self.value.normalize():f} {self.unit}"


class Kg(Quantity):
    unit = "kg"


class Mg(Quantity):
    unit = "mg"


class MgPerKg(Quantity):
    unit = "mg/kg"


class MgPerMl(Quantity):
    unit = "mg/mL"


class Ml(Quantity):
    unit = "mL"


class Minutes(Quantity):
    unit = "min"


class MlPerHour(Quantity):
    unit = "mL/h"


def dose_for_weight(per_kg: MgPerKg, weight: Kg) -> Mg:
    return Mg(per_kg.value * weight.value)


def volume_for_dose(dose: Mg, concentration: MgPerMl) -> Ml:
    if concentration.value <= 0:
        raise ValueError("concentration must be above zero")
    return Ml(dose.value / concentration.value)


def rate_for_volume(volume: Ml, duration: Minutes) -> MlPerHour:
    if duration.value <= 0:
        raise ValueError("duration must be above zero")
    return MlPerHour(volume.value * 60 / duration.value)
