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
    calculate_esketamine,
    calculate_weight_based,
)
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.clinical.protocols import Protocol
from ketamine_clinic.clinical.scheduling import MONDAY_TO_FRIDAY
from ketamine_clinic.clinical.units import Kg, MgPerKg, MgPerMl, Minutes
from ketamine_clinic.errors import InvalidInput
from ketamine_clinic.patients.models import BodyMeasurement, Patient, RecordStatus
from ketamine_clinic.treatment import clinic_protocols
from ketamine_clinic.treatment.models import Course, DoseOrder


@dataclass(frozen=True)
class DoseParams:
    dose_mg_per_kg: Decimal | None = None
    concentration_mg_per_ml: Decimal | None = None
    duration_min: Decimal | None = None
    dose_mg: int | None = None
    previous_doses_mg: tuple[int, ...] = ()
    override_reason: str | None = None


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


def latest_weight(patient: Patient) -> tuple[Decimal | None, date | None]:
    latest = (
        BodyMeasurement.objects.filter(
            patient=patient, kind="weight_kg", status=RecordStatus.ACTIVE
        )
        .order_by("-measured_at")
        .first()
    )
    if latest is None:
        return None, None
    return latest.value, timezone.localtime(latest.measured_at).date()


def calculate(
    protocol: Protocol,
    params: DoseParams,
    *,
    weight: Decimal | None,
    measured_on: date | None,
    age_years: int | None,
    today: date,
) -> Calculation:
    """Run the calculator; its refusals become 422s naming the field."""
    try:
        if protocol.weight_based:
            return calculate_weight_based(
                protocol,
                weight=Kg(weight) if weight is not None else None,
                weight_measured_on=measured_on,
                today=today,
                per_kg=MgPerKg(params.dose_mg_per_kg) if params.dose_mg_per_kg else None,
                concentration=MgPerMl(params.concentration_mg_per_ml)
                if params.concentration_mg_per_ml is not None
                else None,
                duration=Minutes(params.duration_min) if params.duration_min is not None else None,
                override_reason=params.override_reason,
            )
        if params.dose_mg is None:
            raise DosingError("dose_mg", "required for esketamine (28, 56 or 84 mg)")
        if age_years is None:
            raise DosingError("age_years", "required when no patient is given")
        return calculate_esketamine(
            protocol,
            dose_mg=params.dose_mg,
            previous_doses_mg=params.previous_doses_mg,
            age_years=age_years,
            override_reason=params.override_reason,
        )
    except DosingError as exc:
        raise InvalidInput(exc.field, exc.message) from None


def calculate_for_patient(protocol: Protocol, params: DoseParams, patient: Patient) -> Calculation:
    weight, measured_on = latest_weight(patient)
    today = timezone.localdate()
    return calculate(
        protocol,
        params,
        weight=weight,
        measured_on=measured_on,
        age_years=age_on(patient.birth_date, today),
        today=today,
    )


def calculation_json(result: Calculation) -> dict[str, Any]:
    return {
        "protocol": result.protocol_id,
        "dose_mg": result.dose.value,
        "volume_ml": result.volume.value if result.volume else None,
        "rate_ml_per_h": result.rate.value if result.rate else None,
        "duration_min": result.duration.value if result.duration else None,
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
