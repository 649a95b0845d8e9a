"""The dose calculator: from a protocol, the patient's weight and the vial, the dose, volume
and pump rate (racemic ketamine) or the devices and their timing (esketamine), each step
shown. Decision support: it computes and checks; a prescriber orders.

Limits: a dose inside the protocol's range is accepted; above its maximum (or below its
minimum, an infusion outside its duration range, an experimental route, a weight older than
the protocol allows, more in 7 days than the protocol's weekly limit, or a patient under its
age) needs a prescriber's override with a written reason. Nothing is accepted above the
absolute ceiling in mg/kg or the protocol's mg per session, for an infusion faster than the
ceiling over the shortest infusion, or under 18 where the label is for adults only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

from ketamine_clinic.clinical.body_weight import DosingWeight, DosingWeightError, dosing_weight
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

MIN_OVERRIDE_REASON = 10
# The protocols come from adult studies (CLINICAL.md 3; Sanacora 2017 covers adults only).
# 30 kg is a plausibility floor for an adult, not a clinical cut-off: a lighter patient is
# outside what these protocols describe and must not get a dose computed from them. The
# upper bound is the registration limit (measurements.WEIGHT_KG).
ADULT_WEIGHT = (Decimal("30"), WEIGHT_KG.high)
# Ketalar US label, 2.3 (preparation): the 100 mg/mL concentration is never injected
# intravenously without dilution; for an infusion the label dilutes to 1 mg/mL, or 2 mg/mL
# where fluid is restricted. An infusion is therefore always prepared in a bag or syringe, to
# at most 2 mg/mL, with 0.9% sodium chloride or 5% dextrose.
MAX_INFUSION_MG_PER_ML = Decimal("2")
DILUENTS = {"sodium_chloride_0_9": "0.9% sodium chloride", "dextrose_5": "5% dextrose"}
FINAL_VOLUME_ML = (Decimal("10"), Decimal("1000"))  # a 10 mL syringe to a 1 L bag
MAX_INFUSION_MIN = Decimal("240")
NO_STOCK = "choose the product the dose is drawn from for the volume, preparation and pump rate"


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
class Stock:
    """The product the dose is drawn from, as the vault records it."""

    name: str
    concentration: MgPerMl


@dataclass(frozen=True)
class Preparation:
    """How an infusion is made up: the diluent and the final volume of the bag or syringe."""

    diluent: str
    final_volume: Ml


@dataclass(frozen=True)
class Calculation:
    protocol_id: str
    dose: Mg
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()
    needs_override: tuple[str, ...] = ()
    override_reason: str | None = None
    volume: Ml | None = None  # of stock drug to draw
    rate: MlPerHour | None = None
    duration: Minutes | None = None
    devices: tuple[Device, ...] = field(default_factory=tuple)
    dosing_weight: DosingWeight | None = None
    stock: Stock | None = None
    preparation: Preparation | None = None
    final_concentration: MgPerMl | None = None
    diluent_volume: Ml | None = None

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


def check_weight(
    weight: Kg | None, measured_on: date | None, today: date, max_age_days: int
) -> list[str]:
    """Refuses a missing or implausible weight; a weight older than the protocol allows is
    returned as a reason the dose needs a prescriber's confirmation."""
    if weight is None or measured_on is None:
        raise DosingError("weight_kg", "no weight recorded: weigh the patient first")
    low, high = ADULT_WEIGHT
    if not low <= weight.value <= high:
        raise DosingError("weight_kg", f"{weight} is outside the adult range {low}-{high} kg")
    if measured_on > today:
        raise DosingError("weight_kg", "the weight is dated in the future")
    age = (today - measured_on).days
    if age > max_age_days:
        return [
            f"the weight is {age} days old (the protocol allows {max_age_days}): weigh again, "
            "or a prescriber confirms it with a reason"
        ]
    return []


def check_age(protocol: Protocol, age_years: int | None) -> list[str]:
    """Under the protocol's age: refused where the label is for adults only, otherwise a
    reason for an override (the studies behind it are in adults)."""
    if age_years is None or protocol.min_age_years is None or age_years >= protocol.min_age_years:
        return []
    if protocol.adult_label_only:
        raise DosingError(
            "age_years",
            f"{age_years} years: {protocol.name} is approved for adults "
            f"({protocol.min_age_years} and over) only",
        )
    return [f"{age_years} years: the studies behind this protocol are in adults"]


def weekly_problem(limit_mg: Decimal | None, week_given_mg: Decimal, dose: Mg) -> list[str]:
    """Over the protocol's most in any 7 days, counting this dose."""
    if limit_mg is None:
        return []
    total = week_given_mg + dose.value
    if total <= limit_mg:
        return []
    return [
        f"{total.normalize():f} mg in 7 days ({week_given_mg.normalize():f} given + this dose) "
        f"is above the protocol's {limit_mg.normalize():f} mg a week"
    ]


def infusion_floor(protocol: Protocol, per_kg: MgPerKg) -> Minutes | None:
    """The shortest infusion of this mg/kg: never faster than the ceiling over the shortest
    infusion the protocol allows (1.5 mg/kg over 40 minutes for the library's IV protocol)."""
    fastest = protocol.max_mg_per_kg_per_min
    if fastest is None:
        return None
    return Minutes((per_kg.value / fastest).quantize(Decimal("0.1"), rounding=ROUND_CEILING))


def calculate_weight_based(
    protocol: Protocol,
    *,
    weight: Kg | None,
    weight_measured_on: date | None,
    today: date,
    per_kg: MgPerKg | None = None,
    height_cm: Decimal | None = None,
    sex: str = "unknown",
    age_years: int | None = None,
    stock: Stock | None = None,
    preparation: Preparation | None = None,
    duration: Minutes | None = None,
    week_given_mg: Decimal = Decimal(0),
    override_reason: str | None = None,
) -> Calculation:
    """Racemic ketamine: dose = mg/kg x dosing weight, within the protocol's limits; the drug
    drawn from the stock product; an infusion made up to its final volume and run at
    final volume / duration."""
    assert protocol.weight_based  # noqa: S101  # callers choose by protocol.weight_based
    assert protocol.default_mg_per_kg is not None  # noqa: S101  # set on every weight-based one
    needs = check_weight(weight, weight_measured_on, today, protocol.weight_max_age_days)
    assert weight is not None  # noqa: S101  # check_weight refused a missing one
    needs += check_age(protocol, age_years)
    try:
        basis = dosing_weight(
            protocol.dosing_weight,
            weight,
            height_cm=height_cm,
            sex=sex,
            cap_kg=protocol.dosing_weight_cap_kg,
        )
    except DosingWeightError as exc:
        raise DosingError(exc.field, exc.message) from None
    per_kg = per_kg or MgPerKg(protocol.default_mg_per_kg)
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
    steps = [Step("Dosing weight", basis.why, str(basis.weight))]
    dose = dose_for_weight(per_kg, basis.weight).rounded("0.1")
    steps.append(Step("Dose", f"{per_kg} x {basis.weight}", str(dose)))
    cap = protocol.max_mg_per_session
    if cap is not None and dose.value > cap:
        raise DosingError(
            "dose_mg_per_kg",
            f"{dose} is above the protocol's absolute limit of {cap.normalize():f} mg a session",
        )
    weekly = (
        protocol.max_mg_per_kg_per_week * basis.weight.value
        if protocol.max_mg_per_kg_per_week is not None
        else None
    )
    needs += weekly_problem(weekly, week_given_mg, dose)
    volume = rate = final_concentration = diluent_volume = None
    if stock is not None:
        if stock.concentration.value <= 0:
            raise DosingError("stock_product", "the product has no concentration in mg/mL")
        volume = volume_for_dose(dose, stock.concentration).rounded("0.01")
        steps.append(
            Step(f"Draw from {stock.name}", f"{dose} / {stock.concentration}", str(volume))
        )
    if protocol.route == "iv":
        duration = duration or (
            Minutes(protocol.default_duration_min) if protocol.default_duration_min else None
        )
        if duration is None or duration.value <= 0:
            raise DosingError("duration_min", "must be above zero")
        if duration.value > MAX_INFUSION_MIN:
            raise DosingError("duration_min", f"must be at most {MAX_INFUSION_MIN} minutes")
        floor = infusion_floor(protocol, per_kg)
        if floor is not None and duration.value < floor.value:
            raise DosingError(
                "duration_min",
                f"{per_kg} over {duration} is faster than the protocol ever allows: at least "
                f"{floor} ({protocol.ceiling_mg_per_kg} mg/kg over {protocol.min_duration_min} "
                "min at most)",
            )
        low, high = protocol.min_duration_min, protocol.max_duration_min
        if low is not None and duration.value < low:
            needs.append(f"an infusion over {duration} is shorter than the protocol's {low} min")
        if high is not None and duration.value > high:
            needs.append(f"an infusion over {duration} is longer than the protocol's {high} min")
        if preparation is not None:
            if stock is None or volume is None:
                raise DosingError("stock_product", "choose the product the dose is drawn from")
            prepared = _prepare(dose, volume, preparation, duration)
            final_concentration, diluent_volume, rate, more = prepared
            steps += more
        elif stock is not None:
            raise DosingError(
                "final_volume_ml",
                "an infusion is made up in a bag or syringe: give the diluent and final volume",
            )
    else:
        if duration is not None:
            raise DosingError("duration_min", f"a {protocol.route.upper()} dose is not infused")
        if preparation is not None:
            raise DosingError("final_volume_ml", f"a {protocol.route.upper()} dose is not diluted")
        duration = None
    return Calculation(
        protocol_id=protocol.id,
        dose=dose,
        steps=tuple(steps),
        warnings=(NO_STOCK,) if stock is None and protocol.route == "iv" else (),
        needs_override=tuple(needs),
        override_reason=_override(override_reason, needs),
        volume=volume,
        rate=rate,
        duration=duration,
        dosing_weight=basis,
        stock=stock,
        preparation=preparation,
        final_concentration=final_concentration,
        diluent_volume=diluent_volume,
    )


def _prepare(
    dose: Mg, drawn: Ml, preparation: Preparation, duration: Minutes
) -> tuple[MgPerMl, Ml, MlPerHour, list[Step]]:
    """The bag or syringe: drug plus diluent to the final volume, its concentration, and the
    pump rate of the final volume over the infusion."""
    if preparation.diluent not in DILUENTS:
        raise DosingError("diluent", f"must be one of {', '.join(DILUENTS)}")
    final = preparation.final_volume
    low, high = FINAL_VOLUME_ML
    if not low <= final.value <= high:
        raise DosingError("final_volume_ml", f"must be from {low} to {high} mL")
    if drawn.value >= final.value:
        raise DosingError(
            "final_volume_ml",
            f"the drug alone is {drawn}: the final volume must be larger, so it is diluted",
        )
    concentration = MgPerMl(dose.value / final.value)
    if concentration.value > MAX_INFUSION_MG_PER_ML:
        least = (dose.value / MAX_INFUSION_MG_PER_ML).quantize(Decimal("1"), ROUND_CEILING)
        raise DosingError(
            "final_volume_ml",
            f"{dose} in {final} is {concentration.rounded('0.01')}: an infusion is at most "
            f"{MAX_INFUSION_MG_PER_ML} mg/mL (at least {least} mL)",
        )
    diluent = Ml(final.value - drawn.value)
    rate = rate_for_volume(final, duration).rounded("0.1")
    name = DILUENTS[preparation.diluent]
    return (
        concentration.rounded("0.001"),
        diluent,
        rate,
        [
            Step(f"Add {name}", f"{final} - {drawn}", str(diluent)),
            Step("Final concentration", f"{dose} / {final}", str(concentration.rounded("0.001"))),
            Step("Pump rate", f"{final} / ({duration} / 60)", str(rate)),
        ],
    )


# Hepatic impairment (Child-Pugh), as recorded on the signed evaluation. Spravato EU SmPC 4.2:
# no dose change for mild or moderate, but 84 mg used with caution in moderate; severe not
# studied, use not recommended (also US label 8.6, which adds that moderate impairment may
# need longer monitoring). Neither label lowers the starting dose for the liver.
HEPATIC = ("none", "mild", "moderate", "severe")


def esketamine_hepatic(impairment: str, dose_mg: int) -> tuple[list[str], list[str]]:
    """(reasons for a prescriber's override, warnings) for the liver."""
    if impairment not in HEPATIC:
        raise DosingError("hepatic_impairment", f"must be one of {', '.join(HEPATIC)}")
    if impairment == "severe":
        return ["severe hepatic impairment (Child-Pugh C): not studied, not recommended"], []
    if impairment == "moderate":
        longer = "moderate hepatic impairment: monitor for longer after the dose"
        if dose_mg >= 84:
            return ["84 mg with moderate hepatic impairment: to be used with caution"], [longer]
        return [], [longer]
    return [], []


def calculate_esketamine(
    protocol: Protocol,
    *,
    dose_mg: int,
    previous_doses_mg: tuple[int, ...] = (),
    age_years: int,
    week_given_mg: Decimal = Decimal(0),
    hepatic_impairment: str = "none",
    override_reason: str | None = None,
) -> Calculation:
    """Esketamine: whole 28 mg devices, 5 minutes apart. US: start at 56 mg, 84 mg only after a
    56 mg start. EU, 65 and over: start at 28 mg and change in 28 mg steps (SPRAVATO labels).
    `previous_doses_mg` are the patient's earlier session totals, oldest first, read from the
    record by the caller (never taken from a client)."""
    assert protocol.route == "intranasal"  # noqa: S101  # callers choose by protocol.route
    check_age(protocol, age_years)
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
    weekly = Decimal(protocol.max_mg_per_week) if protocol.max_mg_per_week else None
    needs += weekly_problem(weekly, week_given_mg, Mg(Decimal(dose_mg)))
    hepatic_needs, warnings = esketamine_hepatic(hepatic_impairment, dose_mg)
    needs += hepatic_needs
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
        warnings=tuple(warnings),
        needs_override=tuple(needs),
        override_reason=_override(override_reason, needs),
        devices=devices,
    )
