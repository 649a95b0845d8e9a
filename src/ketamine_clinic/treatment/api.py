"""Protocols and the dose calculator over the API (courses and orders come next)."""

import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical.dosing import (
    DosingError,
    calculate_esketamine,
    calculate_weight_based,
)
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.clinical.protocols import LIBRARY, Protocol
from ketamine_clinic.clinical.units import Kg, MgPerKg, MgPerMl, Minutes
from ketamine_clinic.errors import InvalidInput
from ketamine_clinic.patients.access import (
    clinics_where,
    get_patient_for_user,
    record_patient_access,
)
from ketamine_clinic.patients.models import BodyMeasurement, RecordStatus
from ketamine_clinic.schema_types import PastDate, line

router = Router(tags=["treatment"])


class PhaseOut(Schema):
    name: str
    sessions: int | None
    per_week: int
    min_hours_apart: int


class ProtocolOut(Schema):
    id: str
    version: str
    name: str
    product: str
    route: str
    indication: str
    label_region: str | None
    experimental: bool
    weight_based: bool
    default_mg_per_kg: Decimal | None
    min_mg_per_kg: Decimal | None
    max_mg_per_kg: Decimal | None
    ceiling_mg_per_kg: Decimal | None
    default_duration_min: Decimal | None
    min_duration_min: Decimal | None
    max_duration_min: Decimal | None
    doses_mg: list[int]
    start_mg: int | None
    start_mg_65_plus: int | None
    phases: list[PhaseOut]
    sources: list[str]


class DoseRequest(Schema):
    protocol: Annotated[str, Field(max_length=60)]
    patient: uuid.UUID | None = Field(None, description="Uses the patient's latest weight and age")
    weight_kg: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2)] | None = None
    weight_measured_on: PastDate | None = None
    age_years: Annotated[int, Field(ge=0, le=125)] | None = None
    dose_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    concentration_mg_per_ml: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=3)] | None = (
        None
    )
    duration_min: Annotated[Decimal, Field(ge=0, le=1440, decimal_places=1)] | None = None
    dose_mg: Annotated[int, Field(ge=0, le=1000)] | None = Field(None, description="Esketamine")
    previous_doses_mg: list[Annotated[int, Field(ge=0, le=1000)]] = Field(
        default_factory=list, max_length=200
    )
    override_reason: Annotated[str, line(2000)] | None = None


class StepOut(Schema):
    what: str
    formula: str
    result: str


class DeviceOut(Schema):
    number: int
    at_min: int
    cumulative_mg: int


class DoseOut(Schema):
    protocol: str
    dose_mg: Decimal
    volume_ml: Decimal | None
    rate_ml_per_h: Decimal | None
    duration_min: Decimal | None
    devices: list[DeviceOut]
    steps: list[StepOut]
    warnings: list[str]
    needs_override: list[str]
    accepted: bool
    note: str = "Decision support: check the arithmetic and the order before you draw up."


def protocol_out(protocol: Protocol) -> dict[str, Any]:
    data = dict(vars(protocol))
    data["weight_based"] = protocol.weight_based
    data["doses_mg"] = list(protocol.doses_mg)
    data["phases"] = [vars(p) for p in protocol.phases]
    data["sources"] = list(protocol.sources)
    return data


@router.get("/protocols", response=list[ProtocolOut], summary="The protocol library")
def protocols(request: HttpRequest) -> list[dict[str, Any]]:
    if not clinics_where(request_user(request), Capability.VIEW_CLINICAL):
        raise PermissionDenied("your role does not see protocols")
    return [protocol_out(p) for p in LIBRARY.values()]


@router.post("/dosing/calculate", response=DoseOut, summary="Calculate a dose, showing each step")
def calculate(request: HttpRequest, payload: DoseRequest) -> dict[str, Any]:
    user = request_user(request)
    if not clinics_where(user, Capability.EDIT_CLINICAL):
        raise PermissionDenied("your role does not calculate doses")
    protocol = LIBRARY.get(payload.protocol)
    if protocol is None:
        raise InvalidInput(
            "protocol", f"unknown protocol {payload.protocol!r}; known: {', '.join(LIBRARY)}"
        )
    weight, measured_on, age = payload.weight_kg, payload.weight_measured_on, payload.age_years
    today = timezone.localdate()
    if payload.patient is not None:
        access = get_patient_for_user(user, payload.patient, Capability.EDIT_CLINICAL)
        latest = (
            BodyMeasurement.objects.filter(
                patient=access.patient, kind="weight_kg", status=RecordStatus.ACTIVE
            )
            .order_by("-measured_at")
            .first()
        )
        if latest is not None:
            weight, measured_on = latest.value, timezone.localtime(latest.measured_at).date()
        age = age_on(access.patient.birth_date, today)
        record_patient_access(api_actor(request), access, "read", "dosing")
    try:
        if protocol.weight_based:
            result = calculate_weight_based(
                protocol,
                weight=Kg(weight) if weight is not None else None,
                weight_measured_on=measured_on,
                today=today,
                per_kg=MgPerKg(payload.dose_mg_per_kg) if payload.dose_mg_per_kg else None,
                concentration=MgPerMl(payload.concentration_mg_per_ml)
                if payload.concentration_mg_per_ml is not None
                else None,
                duration=Minutes(payload.duration_min)
                if payload.duration_min is not None
                else None,
                override_reason=payload.override_reason,
            )
        else:
            if payload.dose_mg is None:
                raise DosingError("dose_mg", "required for esketamine (28, 56 or 84 mg)")
            if age is None:
                raise DosingError("age_years", "required when no patient is given")
            result = calculate_esketamine(
                protocol,
                dose_mg=payload.dose_mg,
                previous_doses_mg=tuple(payload.previous_doses_mg),
                age_years=age,
                override_reason=payload.override_reason,
            )
    except DosingError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    return {
        "protocol": protocol.id,
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
