"""The dose calculator: from a protocol, the patient's weight and the vial, the dose, volume
and pump rate (racemic ketamine) or the devices and their timing (esketamine), each step
shown. Decision support: it computes and checks; a prescriber orders.

Limits: a dose inside the protocol's range is accepted; above its maximum (or below its
minimum, or an infusion outside its duration range, or an experimental route) needs a
prescriber's override with a written reason; above the absolute ceiling nothing is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ketamine_clinic.clinical.measurements import WEIGHT_KG
from ketamine_clinic.clinical.protocols import (
    ESKETAMINE_DEVICE_INTERVAL_MIN,
    ESKETAMINE_DEVICE_MG,
    Protocol,
)
from ketamine_clinic.clinical.rule_error import RuleError
from ketamine_clinic.clinical.units import (
    Kg,
    Mg,
    MgPerKg,
    MgPerMl,
    Minutes,
    Ml,
    MlPerHour,
    dose_for_weight,
    rate_for_volume,
    volume_for_dose,
)

WEIGHT_MAX_AGE_DAYS = 30  # weigh again when the last weight is older (issue #5; clinic norm)
MIN_OVERRIDE_REASON = 10
# The protocols come from adult studies (CLINICAL.md 3; Sanacora 2017 covers adults only).
# 30 kg is a plausibility floor for an adult, not a clinical cut-off: a lighter patient is
# outside what these protocols describe and must not get a dose computed from them. The
# upper bound is the registration limit (measurements.WEIGHT_KG).
ADULT_WEIGHT = (Decimal("30"), WEIGHT_KG.high)


class DosingError(RuleError):
    """Input that cannot give a dose; `field` names it (HTTP 422)."""


@dataclass(frozen=True)
class Step:
    what: str
    formula: str
    result: str


@dataclass(frozen=True)
class Device:
    number: int
    at_min: int
    cumulative_mg: int


@dataclass(frozen=True)
class Calculation:
    protocol_id: str
    dose: Mg
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()
    needs_override: tuple[str, ...] = ()
    override_reason: str | None = None
    volume: Ml | None = None
    rate: MlPerHour | None = None
    duration: Minutes | None = None
    devices: tuple[Device, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> bool:
        """Inside the protocol, or outside it with a prescriber's written reason."""
        return not self.needs_override or self.override_reason is not None


def _override(reason: str | None, needs: list[str]) -> str | None:
    if not needs:
        return None
    if reason is None or len(reason.strip()) < MIN_OVERRIDE_REASON:
        return None
    return reason.strip()


def check_weight(weight: Kg | None, measured_on: date | None, today: date) -> list[str]:
    if weight is None or measured_on is None:
        raise DosingError("weight_kg", "no weight recorded: weigh the patient first")
    low, high = ADULT_WEIGHT
    if not low <= weight.value <= high:
        raise DosingError("weight_kg", f"{weight} is outside the adult range {low}-{high} kg")
    if measured_on > today:
        raise DosingError("weight_kg", "the weight is dated in the future")
    age = (today - measured_on).days
    if age > WEIGHT_MAX_AGE_DAYS:
        return [f"the weight is {age} days old (over {WEIGHT_MAX_AGE_DAYS}): weigh again"]
    return []


def calculate_weight_based(
    protocol: Protocol,
    *,
    weight: Kg | None,
    weight_measured_on: date | None,
    today: date,
    per_kg: MgPerKg | None = None,
    concentration: MgPerMl | None = None,
    duration: Minutes | None = None,
    override_reason: str | None = None,
) -> Calculation:
    """Racemic ketamine: dose = mg/kg x kg; volume = dose / concentration; for an infusion,
    rate = volume / duration in hours."""
    assert protocol.weight_based  # noqa: S101  # callers choose by protocol.weight_based
    assert protocol.default_mg_per_kg is not None  # noqa: S101  # set on every weight-based one
    warnings = check_weight(weight, weight_measured_on, today)
    assert weight is not None  # noqa: S101  # check_weight refused a missing one
    per_kg = per_kg or MgPerKg(protocol.default_mg_per_kg)
    needs: list[str] = []
    if per_kg.value <= 0:
        raise DosingError("dose_mg_per_kg", "must be above zero")
    if protocol.ceiling_mg_per_kg is not None and per_kg.value > protocol.ceiling_mg_per_kg:
        raise DosingError(
            "dose_mg_per_kg",
            f"{per_kg} is above the absolute ceiling of {protocol.ceiling_mg_per_kg} mg/kg",
        )
    if protocol.max_mg_per_kg is not None and per_kg.value > protocol.max_mg_per_kg:
        needs.append(f"{per_kg} is above the protocol's maximum of {protocol.max_mg_per_kg} mg/kg")
    if protocol.min_mg_per_kg is not None and per_kg.value < protocol.min_mg_per_kg:
        needs.append(f"{per_kg} is below the protocol's minimum of {protocol.min_mg_per_kg} mg/kg")
    if protocol.experimental:
        needs.append(f"{protocol.name} is experimental")
    dose = dose_for_weight(per_kg, weight)
    steps = [Step("Dose", f"{per_kg} x {weight}", str(dose.rounded("0.1")))]
    volume = rate = None
    if concentration is not None:
        if concentration.value <= 0:
            raise DosingError("concentration_mg_per_ml", "must be above zero")
        volume = volume_for_dose(dose, concentration)
        steps.append(
            Step(
                "Volume to draw",
                f"{dose.rounded('0.1')} / {concentration}",
                str(volume.rounded("0.01")),
            )
        )
    if protocol.route == "iv":
        duration = duration or (
            Minutes(protocol.default_duration_min) if protocol.default_duration_min else None
        )
        if duration is None or duration.value <= 0:
            raise DosingError("duration_min", "must be above zero")
        if duration.value > 240:
            raise DosingError("duration_min", "must be at most 240 minutes")
        low, high = protocol.min_duration_min, protocol.max_duration_min
        if low is not None and duration.value < low:
            needs.append(f"an infusion over {duration} is shorter than the protocol's {low} min")
        if high is not None and duration.value > high:
            needs.append(f"an infusion over {duration} is longer than the protocol's {high} min")
        if volume is not None:
            rate = rate_for_volume(volume, duration)
            steps.append(
                Step(
                    "Pump rate",
                    f"{volume.rounded('0.01')} / ({duration} / 60)",
                    str(rate.rounded("0.01")),
                )
            )
    else:
        duration = None
    return Calculation(
        protocol_id=protocol.id,
        dose=dose.rounded("0.1"),
        steps=tuple(steps),
        warnings=tuple(warnings),
        needs_override=tuple(needs),
        override_reason=_override(override_reason, needs),
        volume=volume.rounded("0.01") if volume else None,
        rate=rate.rounded("0.01") if rate else None,
        duration=duration,
    )


def calculate_esketamine(
    protocol: Protocol,
    *,
    dose_mg: int,
    previous_doses_mg: tuple[int, ...] = (),
    age_years: int,
    override_reason: str | None = None,
) -> Calculation:
    """Esketamine: whole 28 mg devices, 5 minutes apart. US: start at 56 mg, 84 mg only after a
    56 mg start. EU, 65 and over: start at 28 mg and change in 28 mg steps (SPRAVATO labels)."""
    assert protocol.route == "intranasal"  # noqa: S101  # callers choose by protocol.route
    ceiling = max(protocol.doses_mg)
    if dose_mg % ESKETAMINE_DEVICE_MG:
        raise DosingError("dose_mg", f"must be a whole number of {ESKETAMINE_DEVICE_MG} mg devices")
    if dose_mg <= 0:
        raise DosingError("dose_mg", "must be above zero")
    if dose_mg > ceiling:
        raise DosingError("dose_mg", f"{dose_mg} mg is above the maximum of {ceiling} mg")
    needs: list[str] = []
    eu_older = protocol.label_region == "EU" and age_years >= 65 and protocol.start_mg_65_plus
    first = not previous_doses_mg
    if dose_mg not in protocol.doses_mg:
        needs.append(
            f"{dose_mg} mg is not a dose of this protocol "
            f"({', '.join(map(str, protocol.doses_mg))} mg)"
        )
    if first:
        start = protocol.start_mg_65_plus if eu_older else protocol.start_mg
        if start is not None and dose_mg != start:
            needs.append(f"the first dose of this protocol is {start} mg")
    else:
        previous = previous_doses_mg[-1]
        if (
            dose_mg == 84
            and protocol.indication == "trd"
            and 56 not in previous_doses_mg
            and 84 not in previous_doses_mg
        ):
            needs.append("84 mg only after a start at 56 mg")
        if (
            eu_older
            and protocol.step_mg_65_plus
            and abs(dose_mg - previous) > protocol.step_mg_65_plus
        ):
            needs.append(
                f"at 65 or over change in {protocol.step_mg_65_plus} mg steps "
                f"(last dose {previous} mg)"
            )
    count = dose_mg // ESKETAMINE_DEVICE_MG
    devices = tuple(
        Device(n, (n - 1) * ESKETAMINE_DEVICE_INTERVAL_MIN, n * ESKETAMINE_DEVICE_MG)
        for n in range(1, count + 1)
    )
    steps = (
        Step("Devices", f"{dose_mg} mg / {ESKETAMINE_DEVICE_MG} mg", str(count)),
        Step(
            "Timing",
            f"one device every {ESKETAMINE_DEVICE_INTERVAL_MIN} min",
            ", ".join(f"{d.at_min} min" for d in devices),
        ),
    )
    return Calculation(
        protocol_id=protocol.id,
        dose=Mg(Decimal(dose_mg)),
        steps=steps,
        needs_override=tuple(needs),
        override_reason=_override(override_reason, needs),
        devices=devices,
    )
