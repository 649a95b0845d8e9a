"""The dose calculator over the API."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.patients.access import (
    clinics_where,
    get_patient_for_user,
    one_clinic,
    record_patient_access,
)
from ketamine_clinic.treatment.api.schemas import (
    DoseOut,
    DoseRequest,
)
from ketamine_clinic.treatment.queries import dosing
from ketamine_clinic.treatment.queries import protocols as clinic_protocols

router = Router(tags=["treatment"])


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
