"""`POST /api/v1/pk/simulate`: a model's predicted concentrations for a regimen, with the
population's percentiles when asked. The work a request may ask for is bounded."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from ketamine_clinic.accounts.requests import request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.patients.access import one_clinic
from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.models import Covariates
from ketamine_clinic.pk.regimen import Dose
from ketamine_clinic.pk.report import Request, run

router = Router(tags=["pharmacokinetics"])
DAYS_90 = 90 * 1440.0


class DoseIn(Schema):
    route: Literal["iv_bolus", "iv_infusion", "im", "intranasal"]
    at_min: Annotated[float, Field(ge=0, le=DAYS_90)] = 0
    dose_mg: Annotated[float, Field(gt=0, le=1000)]
    duration_min: Annotated[float, Field(ge=0, le=1440)] = 0
    devices: Annotated[int, Field(ge=0, le=3)] = 0


class CovariatesIn(Schema):
    weight_kg: Annotated[float, Field(ge=20, le=300)] | None = None
    age_years: Annotated[float, Field(ge=12, le=110)] | None = None
    asian: bool = False


class PopulationIn(Schema):
    n: Annotated[int, Field(ge=1, le=100_000)]
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] | None = None


class SimulateIn(Schema):
    model: Literal["clements", "domino", "fanta-otto", "perez-ruixo"] | None = None
    covariates: CovariatesIn = Field(default_factory=CovariatesIn)
    regimen: list[DoseIn] = Field(..., min_length=1, max_length=500)
    t_end_min: Annotated[float, Field(gt=0, le=DAYS_90)]
    step_min: Annotated[float, Field(gt=0, le=1440)] = 5
    population: PopulationIn | None = None
    thresholds_ng_ml: list[Annotated[float, Field(gt=0, le=100_000)]] = Field(
        default_factory=list, max_length=5
    )


class ModelOut(Schema):
    id: str
    name: str
    source: str
    notes: str


class ThresholdOut(Schema):
    level_ng_ml: float
    output: str
    time_above_min: float
    falls_below_min: float | None


class PopulationOut(Schema):
    n: int
    seed: int


class SimulateOut(Schema):
    model: ModelOut
    estimate: str
    outputs: list[str]
    times_min: list[float]
    conc_ng_ml: dict[str, list[float]]
    cmax_ng_ml: dict[str, float]
    tmax_min: dict[str, float]
    auc_ng_h_ml: dict[str, float]
    thresholds: list[ThresholdOut]
    population: PopulationOut | None = None
    percentiles: dict[str, dict[str, list[float]]] | None = None
    cmax_percentiles_ng_ml: dict[str, dict[str, float]] | None = None


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
