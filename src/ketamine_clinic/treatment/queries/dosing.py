"""The calculator for a patient (their weight and age) and the clinic's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.clinical.dosing import (
    Calculation,
    DosingError,
    Preparation,
    Stock,
    calculate_esketamine,
    calculate_weight_based,
)
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.clinical.protocols import Protocol
from ketamine_clinic.clinical.scheduling import MONDAY_TO_FRIDAY
from ketamine_clinic.clinical.units import Kg, MgPerKg, MgPerMl, Minutes, Ml
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.inventory.models import Product
from ketamine_clinic.patients.models import BodyMeasurement, Patient
from ketamine_clinic.records.models import RecordStatus
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment.queries import dose_history
from ketamine_clinic.treatment.queries import protocols as clinic_protocols


@dataclass(frozen=True)
class DoseParams:
    dose_mg_per_kg: Decimal | None = None
    stock_product: Any = None  # the vault's product the dose is drawn from (its id)
    diluent: str | None = None
    final_volume_ml: Decimal | None = None
    duration_min: Decimal | None = None
    dose_mg: int | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class PatientFacts:
    """What the calculator reads from the record; for a calculation without a patient, what
    the caller typed (and no dose history)."""

    weight: Decimal | None
    measured_on: date | None
    age_years: int | None
    height_cm: Decimal | None = None
    sex: str = "unknown"
    previous_doses_mg: tuple[int, ...] = ()
    week_given_mg: Decimal = Decimal(0)
    hepatic_impairment: str = "none"


def signed_order(course: Course) -> DoseOrder | None:
    """The course's order in force: the latest signed one not entered in error."""
    return (
        DoseOrder.objects.filter(course=course, signed_at__isnull=False, status=RecordStatus.ACTIVE)
        .order_by("-signed_at")
        .first()
    )


def course_protocol(course: Course) -> Protocol:
    """The protocol exactly as the course was ordered under it."""
    return clinic_protocols.get_protocol(
        course.protocol_id, course.patient.clinic_id, course.protocol_version
    )


def _latest(patient: Patient, kind: str) -> BodyMeasurement | None:
    return (
        BodyMeasurement.objects.filter(patient=patient, kind=kind, status=RecordStatus.ACTIVE)
        .order_by("-measured_at")
        .first()
    )


def latest_weight(patient: Patient) -> tuple[Decimal | None, date | None]:
    latest = _latest(patient, "weight_kg")
    if latest is None:
        return None, None
    return latest.value, timezone.localtime(latest.measured_at).date()


def patient_facts(
    patient: Patient, esketamine: bool, exclude_session: object = None
) -> PatientFacts:
    """The patient's weight, height, sex, age and dose history, from the record."""
    weight, measured_on = latest_weight(patient)
    height = _latest(patient, "height_cm")
    given = dose_history.given_doses(patient, esketamine, exclude_session)
    return PatientFacts(
        weight=weight,
        measured_on=measured_on,
        age_years=age_on(patient.birth_date, timezone.localdate()),
        height_cm=height.value if height else None,
        sex=patient.sex,
        previous_doses_mg=tuple(int(g.mg) for g in given) if esketamine else (),
        week_given_mg=dose_history.mg_in_week(given),
        hepatic_impairment=latest_hepatic(patient),
    )


def latest_hepatic(patient: Patient) -> str:
    """The liver as the latest signed evaluation records it."""
    latest = (
        Evaluation.objects.filter(
            patient=patient, status=RecordStatus.ACTIVE, sign_status=Evaluation.Status.SIGNED
        )
        .order_by("-signed_at")
        .values_list("hepatic_impairment", flat=True)
        .first()
    )
    return latest or "none"


def stock_products(clinic_id: Any) -> list[Product]:
    """The clinic's racemic ketamine products a dose can be drawn from."""
    return list(
        Product.objects.filter(
            clinic_id=clinic_id,
            substance=Product.Substance.KETAMINE,
            concentration_mg_per_ml__isnull=False,
        ).order_by("name", "concentration_mg_per_ml")
    )


def stock(clinic_id: Any, product_id: Any) -> Stock:
    """The vault's racemic ketamine product the dose is drawn from: its concentration is the
    one the nurse will find on the vial, never a number typed beside the order."""
    product = Product.objects.filter(
        pk=product_id, clinic_id=clinic_id, substance=Product.Substance.KETAMINE
    ).first()
    if product is None:
        raise InvalidInput("stock_product", "no such ketamine product in this clinic's vault")
    if not product.concentration_mg_per_ml:
        raise InvalidInput("stock_product", "the product has no concentration in mg/mL")
    return Stock(product.name, MgPerMl(product.concentration_mg_per_ml))


def calculate(
    protocol: Protocol, params: DoseParams, facts: PatientFacts, clinic_id: Any, today: date
) -> Calculation:
    """Run the calculator; its refusals become 422s naming the field."""
    try:
        if protocol.weight_based:
            preparation = None
            if params.diluent is not None or params.final_volume_ml is not None:
                if params.diluent is None:
                    raise DosingError("diluent", "give the diluent with the final volume")
                if params.final_volume_ml is None:
                    raise DosingError("final_volume_ml", "give the final volume with the diluent")
                preparation = Preparation(params.diluent, Ml(params.final_volume_ml))
            return calculate_weight_based(
                protocol,
                weight=Kg(facts.weight) if facts.weight is not None else None,
                weight_measured_on=facts.measured_on,
                today=today,
                per_kg=MgPerKg(params.dose_mg_per_kg) if params.dose_mg_per_kg else None,
                height_cm=facts.height_cm,
                sex=facts.sex,
                age_years=facts.age_years,
                stock=stock(clinic_id, params.stock_product) if params.stock_product else None,
                preparation=preparation,
                duration=Minutes(params.duration_min) if params.duration_min is not None else None,
                week_given_mg=facts.week_given_mg,
                override_reason=params.override_reason,
            )
        for name in ("stock_product", "diluent", "final_volume_ml", "duration_min"):
            if getattr(params, name) is not None:
                raise DosingError(name, "esketamine is given as whole nasal devices")
        if params.dose_mg is None:
            raise DosingError("dose_mg", "required for esketamine (28, 56 or 84 mg)")
        if facts.age_years is None:
            raise DosingError("age_years", "required when no patient is given")
        return calculate_esketamine(
            protocol,
            dose_mg=params.dose_mg,
            previous_doses_mg=facts.previous_doses_mg,
            age_years=facts.age_years,
            week_given_mg=facts.week_given_mg,
            hepatic_impairment=facts.hepatic_impairment,
            override_reason=params.override_reason,
        )
    except DosingError as exc:
        raise InvalidInput(exc.field, exc.message) from None


def calculate_for_patient(protocol: Protocol, params: DoseParams, patient: Patient) -> Calculation:
    facts = patient_facts(patient, protocol.product == dose_history.ESKETAMINE)
    return calculate(protocol, params, facts, patient.clinic_id, timezone.localdate())


def _value(quantity: Any) -> Decimal | None:
    return quantity.value if quantity is not None else None


def calculation_json(result: Calculation) -> dict[str, Any]:
    basis = result.dosing_weight
    return {
        "protocol": result.protocol_id,
        "dose_mg": result.dose.value,
        "dosing_weight_kg": _value(basis.weight) if basis else None,
        "dosing_weight": {"policy": basis.policy, "why": basis.why} if basis else None,
        "stock_product": result.stock.name if result.stock else None,
        "stock_mg_per_ml": _value(result.stock.concentration) if result.stock else None,
        "volume_ml": _value(result.volume),
        "diluent": result.preparation.diluent if result.preparation else None,
        "diluent_ml": _value(result.diluent_volume),
        "final_volume_ml": _value(result.preparation.final_volume) if result.preparation else None,
        "final_mg_per_ml": _value(result.final_concentration),
        "rate_ml_per_h": _value(result.rate),
        "duration_min": _value(result.duration),
        "devices": [vars(d) for d in result.devices],
        "steps": [vars(s) for s in result.steps],
        "warnings": list(result.warnings),
        "needs_override": list(result.needs_override),
        "accepted": result.accepted,
    }


def open_weekdays(clinic: Clinic) -> frozenset[int]:
    return frozenset(clinic.open_weekdays or MONDAY_TO_FRIDAY)


def closed_dates(clinic: Clinic) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in clinic.closed_dates or [])
