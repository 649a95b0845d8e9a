"""One call from a model, a patient's covariates and a regimen to concentrations: checks
every input, draws the population when asked, assembles the system and solves it."""

from __future__ import annotations

import math

from ketamine_clinic.pk import regimen as regimens
from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.models import MODELS, Covariates, Model, individuals
from ketamine_clinic.pk.regimen import Dose
from ketamine_clinic.pk.solver import Solution, solve
from ketamine_clinic.pk.system import Array, Input, System

MAX_SUBJECTS = 100_000
WEIGHT_RANGE_KG = (20.0, 300.0)
AGE_RANGE_YEARS = (12.0, 110.0)


def model_for(model_id: str) -> Model:
    found = MODELS.get(model_id)
    if found is None:
        raise PKError("model", f"must be one of {', '.join(MODELS)}")
    return found


def check_covariates(model: Model, cov: Covariates) -> None:
    if cov.weight_kg is not None:
        low, high = WEIGHT_RANGE_KG
        if not (math.isfinite(cov.weight_kg) and low <= cov.weight_kg <= high):
            raise PKError("covariates.weight_kg", f"between {low:g} and {high:g} kg")
    elif model.needs_weight:
        raise PKError("covariates.weight_kg", f"the {model.id} model scales by weight")
    if cov.age_years is not None:
        low, high = AGE_RANGE_YEARS
        if not (math.isfinite(cov.age_years) and low <= cov.age_years <= high):
            raise PKError("covariates.age_years", f"between {low:g} and {high:g} years")


def build(
    model: Model,
    cov: Covariates,
    doses: list[Dose],
    *,
    n: int = 1,
    seed: int | None = None,
    metabolite: bool = True,
) -> tuple[System, list[Input]]:
    """The system for n subjects (typical values when seed is None) and the regimen's inputs."""
    check_covariates(model, cov)
    regimens.check(doses)
    for i, dose in enumerate(doses):
        if dose.route not in model.routes:
            raise PKError(
                f"regimen[{i}].route",
                f"the {model.id} model takes {', '.join(model.routes)}",
            )
    if not 1 <= n <= MAX_SUBJECTS:
        raise PKError("population.n", f"between 1 and {MAX_SUBJECTS:,}")
    if seed is not None and not model.has_variability:
        raise PKError("population", f"the {model.id} model has no published variability")
    params = individuals(model, n, seed)
    system = model.assemble(params, cov, metabolite and model.metabolite is not None)
    inputs = [item for dose in doses for item in model.dose_inputs(dose, params)]
    return system, inputs


def simulate(
    model: Model,
    cov: Covariates,
    doses: list[Dose],
    t_end_min: float,
    step_min: float,
    *,
    n: int = 1,
    seed: int | None = None,
    metabolite: bool = True,
    out: Array | None = None,
) -> Solution:
    system, inputs = build(model, cov, doses, n=n, seed=seed, metabolite=metabolite)
    return solve(system, inputs, t_end_min, step_min, out=out)
