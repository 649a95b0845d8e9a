"""The dose calculator over the API."""

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
from ketamine_clinic.patients.access import (
    clinics_where,
    get_patient_for_user,
    one_clinic,
    record_patient_access,
)
from ketamine_clinic.schema_types import PastDate, line
from ketamine_clinic.treatment import clinic_protocols, service

router = Router(tags=["treatment"])


class DoseRequest(Schema):
    protocol: Annotated[str, Field(max_length=60)]
    patient: uuid.UUID | None = Field(None, description="Uses the patient's latest weight and age")
    clinic: uuid.UUID | None = Field(None, description="Whose protocols, when no patient is given")
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


@router.post("/dosing/calculate", response=DoseOut, summary="Calculate a dose, showing each step")
def calculate(request: HttpRequest, payload: DoseRequest) -> dict[str, Any]:
    user = request_user(request)
    if not clinics_where(user, Capability.EDIT_CLINICAL):
        raise PermissionDenied("your role does not calculate doses")
    params = dose_params(payload)
    if payload.patient is not None:
        access = get_patient_for_user(user, payload.patient, Capability.EDIT_CLINICAL)
        protocol = clinic_protocols.get_protocol(payload.protocol, access.patient.clinic_id)
        result = service.calculate_for_patient(protocol, params, access.patient)
        record_patient_access(api_actor(request), access, "read", "dosing")
    else:
        clinic_id = one_clinic(user, payload.clinic, Capability.EDIT_CLINICAL)
        protocol = clinic_protocols.get_protocol(payload.protocol, clinic_id)
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
