"""`POST /api/v1/pk/simulate`: a model's predicted concentrations for a regimen, with the
population's percentiles when asked. The work a request may ask for is bounded."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from ketamine_clinic.accounts.requests import request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.patients.access import one_clinic
from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.models import Covariates
from ketamine_clinic.pk.regimen import Dose
from ketamine_clinic.pk.report import Request, run
from ketamine_clinic.treatment.api.schemas import (
    SimulateIn,
    SimulateOut,
)

router = Router(tags=["pharmacokinetics"])


def request_from(payload: SimulateIn) -> Request:
    cov = payload.covariates
    return Request(
        doses=[
            Dose(d.route, d.at_min, d.dose_mg, d.duration_min, d.devices) for d in payload.regimen
        ],
        t_end_min=payload.t_end_min,
        step_min=payload.step_min,
        covariates=Covariates(cov.weight_kg, cov.age_years, cov.asian),
        model=payload.model,
        n=payload.population.n if payload.population else None,
        seed=payload.population.seed if payload.population else None,
        thresholds_ng_ml=tuple(payload.thresholds_ng_ml),
    )


def simulate_or_422(request: Request) -> dict[str, Any]:
    try:
        return run(request)
    except PKError as exc:
        raise InvalidInput(exc.field, exc.message) from None


@router.post(
    "/pk/simulate",
    response=SimulateOut,
    summary="Predicted concentrations under a published model (estimates, not measurements)",
)
def pk_simulate(request: HttpRequest, payload: SimulateIn) -> dict[str, Any]:
    one_clinic(request_user(request), None, Capability.VIEW_PROTOCOLS)
    return simulate_or_422(request_from(payload))
