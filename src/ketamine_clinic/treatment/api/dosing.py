"""The dose calculator over the API."""

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.schema_types import PastDate, line
from ketamine_clinic.patients.access import (
    clinics_where,
    get_patient_for_user,
    one_clinic,
    record_patient_access,
)
from ketamine_clinic.treatment.queries import dosing
from ketamine_clinic.treatment.queries import protocols as clinic_protocols

router = Router(tags=["treatment"])


class DoseFields(Schema):
    """What a prescriber chooses; the patient's weight, height, age and dose history come
    from the record, never from the request (unknown fields are refused)."""

    model_config = ConfigDict(extra="forbid")

    dose_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    stock_product: uuid.UUID | None = Field(
        None, description="The vault's ketamine product the dose is drawn from (its id)"
    )
    diluent: Literal["sodium_chloride_0_9", "dextrose_5"] | None = Field(
        None, description="Infusions: what the drug is made up with"
    )
    final_volume_ml: Annotated[Decimal, Field(ge=10, le=1000, decimal_places=1)] | None = Field(
        None, description="Infusions: the bag's or syringe's volume once made up"
    )
    duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    dose_mg: Annotated[int, Field(ge=0, le=1000)] | None = Field(None, description="Esketamine")
    override_reason: Annotated[str, line(2000)] | None = None


class DoseRequest(DoseFields):
    protocol: Annotated[str, Field(max_length=60)]
    patient: uuid.UUID | None = Field(None, description="Uses the patient's record")
    clinic: uuid.UUID | None = Field(None, description="Whose protocols, when no patient is given")
    weight_kg: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2)] | None = None
    weight_measured_on: PastDate | None = None
    height_cm: Annotated[Decimal, Field(ge=100, le=250, decimal_places=1)] | None = None
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    age_years: Annotated[int, Field(ge=0, le=125)] | None = None
    hepatic_impairment: Literal["none", "mild", "moderate", "severe"] | None = Field(
        None, description="Child-Pugh; with a patient, the signed evaluation's"
    )


class StepOut(Schema):
    what: str
    formula: str
    result: str


class DeviceOut(Schema):
    number: int
    at_min: int
    cumulative_mg: int


class DosingWeightOut(Schema):
    policy: str
    why: str


class DoseOut(Schema):
    protocol: str
    dose_mg: Decimal
    dosing_weight_kg: Decimal | None
    dosing_weight: DosingWeightOut | None
    stock_product: str | None
    stock_mg_per_ml: Decimal | None
    volume_ml: Decimal | None = Field(description="Of the stock product, to draw")
    diluent: str | None
    diluent_ml: Decimal | None
    final_volume_ml: Decimal | None
    final_mg_per_ml: Decimal | None
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
        for name in (
            "weight_kg",
            "weight_measured_on",
            "height_cm",
            "age_years",
            "hepatic_impairment",
        ):
            if getattr(payload, name) is not None:
                raise InvalidInput(name, "comes from the patient's record when a patient is given")
        access = get_patient_for_user(user, payload.patient, Capability.EDIT_CLINICAL)
        protocol = clinic_protocols.get_protocol(payload.protocol, access.patient.clinic_id)
        result = dosing.calculate_for_patient(protocol, params, access.patient)
        record_patient_access(api_actor(request), access, "read", "dosing")
        return dosing.calculation_json(result)
    clinic_id = one_clinic(user, payload.clinic, Capability.EDIT_CLINICAL)
    protocol = clinic_protocols.get_protocol(payload.protocol, clinic_id)
    facts = dosing.PatientFacts(
        weight=payload.weight_kg,
        measured_on=payload.weight_measured_on,
        age_years=payload.age_years,
        height_cm=payload.height_cm,
        sex=payload.sex,
        hepatic_impairment=payload.hepatic_impairment or "none",
    )
    out = dosing.calculation_json(
        dosing.calculate(protocol, params, facts, clinic_id, timezone.localdate())
    )
    out["warnings"].append(NO_HISTORY)
    return out


NO_HISTORY = (
    "no patient given: calculated as for a first dose, with no doses in the last 7 days; "
    "an order is calculated again from the patient's record"
)


def dose_params(payload: Any) -> dosing.DoseParams:
    return dosing.DoseParams(
        dose_mg_per_kg=payload.dose_mg_per_kg,
        stock_product=payload.stock_product,
        diluent=payload.diluent,
        final_volume_ml=payload.final_volume_ml,
        duration_min=payload.duration_min,
        dose_mg=payload.dose_mg,
        override_reason=payload.override_reason,
    )
