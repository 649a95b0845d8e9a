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
from ketamine_clinic.clinical.protocols import LIBRARY, Protocol
from ketamine_clinic.patients.access import (
    clinics_where,
    get_patient_for_user,
    record_patient_access,
)
from ketamine_clinic.schema_types import PastDate, line
from ketamine_clinic.treatment import service

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
    protocol = service.get_protocol(payload.protocol)
    params = dose_params(payload)
    if payload.patient is not None:
        access = get_patient_for_user(user, payload.patient, Capability.EDIT_CLINICAL)
        result = service.calculate_for_patient(protocol, params, access.patient)
        record_patient_access(api_actor(request), access, "read", "dosing")
    else:
        result = service.calculate(
            protocol,
            params,
            weight=payload.weight_kg,
            measured_on=payload.weight_measured_on,
            age_years=payload.age_years,
            today=timezone.localdate(),
        )
    return service.calculation_json(result)


def dose_params(payload: Any) -> service.DoseParams:
    return service.DoseParams(
        dose_mg_per_kg=payload.dose_mg_per_kg,
        concentration_mg_per_ml=payload.concentration_mg_per_ml,
        duration_min=payload.duration_min,
        dose_mg=payload.dose_mg,
        previous_doses_mg=tuple(getattr(payload, "previous_doses_mg", ()) or ()),
        override_reason=payload.override_reason,
    )
