"""One call from a model, a patient's covariates and a regimen to concentrations: checks
every input, draws the population when asked, assembles the system and solves it."""

from __future__ import annotations

import numpy as np

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


def _in_range(value: object, bounds: tuple[float, float], n: int, field: str, unit: str) -> None:
    values = np.asarray(value, dtype=np.float64)
    if values.ndim > 1 or values.size not in (1, n):
        raise PKError(field, f"one value, or one per subject ({n})")
    low, high = bounds
    if not (np.all(np.isfinite(values)) and np.all((values >= low) & (values <= high))):
        raise PKError(field, f"between {low:g} and {high:g} {unit}")


def check_covariates(model: Model, cov: Covariates, n: int = 1) -> None:
    if cov.weight_kg is not None:
        _in_range(cov.weight_kg, WEIGHT_RANGE_KG, n, "covariates.weight_kg", "kg")
    elif model.needs_weight:
        raise PKError("covariates.weight_kg", f"the {model.id} model scales by weight")
    if cov.age_years is not None:
        _in_range(cov.age_years, AGE_RANGE_YEARS, n, "covariates.age_years", "years")


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
    if not 1 <= n <= MAX_SUBJECTS:
        raise PKError("population.n", f"between 1 and {MAX_SUBJECTS:,}")
    check_covariates(model, cov, n)
    regimens.check(doses)
    for i, dose in enumerate(doses):
        if dose.route not in model.routes:
            raise PKError(
                f"regimen[{i}].route",
                f"the {model.id} model takes {', '.join(model.routes)}",
            )
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
