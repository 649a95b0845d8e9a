"""A simulation request and its answer as plain data: one place for the API, the CLI and the
screens, so each says the same thing (model estimates, with their source) and bounds the
work the same way."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ketamine_clinic.pk import summary
from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.models import DEFAULT_FOR_ROUTE, Covariates, Model
from ketamine_clinic.pk.regimen import Dose
from ketamine_clinic.pk.simulate import model_for, simulate
from ketamine_clinic.pk.solver import points

# What one request may ask for: a curve of at most 20,000 points (two weeks at 1 minute),
# and a population of at most 4 million subject-points (e.g. 500 subjects over 8,000 points);
# larger studies are for the CLI or the library, not a web request.
MAX_POINTS = 20_000
MAX_POPULATION_WORK = 4_000_000
DEFAULT_SEED = 20261122
ESTIMATE = (
    "Model estimates, not measurements: predicted plasma concentrations for a patient like "
    "this one under the model named, with its source. Individual patients differ; use it to "
    "compare plans, not to decide a dose on its own."
)


@dataclass(frozen=True)
class Request:
    doses: list[Dose]
    t_end_min: float
    step_min: float
    covariates: Covariates = field(default_factory=Covariates)
    model: str | None = None
    n: int | None = None
    seed: int | None = None
    thresholds_ng_ml: tuple[float, ...] = ()


def choose_model(request: Request) -> Model:
    """The model named, or the one made for the first dose's route."""
    if request.model:
        return model_for(request.model)
    if not request.doses:
        raise PKError("regimen", "give at least one dose")
    route = request.doses[0].route
    if route not in DEFAULT_FOR_ROUTE:
        raise PKError("regimen[0].route", f"must be one of {', '.join(DEFAULT_FOR_ROUTE)}")
    return model_for(DEFAULT_FOR_ROUTE[route])


def _rounded(values: np.ndarray) -> list[float]:
    return [float(v) for v in np.round(values, 4)]


def run(
    request: Request,
    *,
    max_points: int = MAX_POINTS,
    max_population_work: int = MAX_POPULATION_WORK,
) -> dict[str, Any]:
    """The typical patient's curve with its peak, exposure and thresholds, and the
    population's 5th, 50th and 95th percentiles when a population is asked for."""
    model = choose_model(request)
    count = points(request.t_end_min, request.step_min, max_points)
    for n, level in enumerate(request.thresholds_ng_ml):
        if not (math.isfinite(level) and 0 < level <= 100_000):
            raise PKError(f"thresholds_ng_ml[{n}]", "above 0 and at most 100,000 ng/mL")
    typical = simulate(model, request.covariates, request.doses, request.t_end_min,
                       request.step_min)  # fmt: skip
    metrics = summary.metrics(typical)
    outputs = typical.outputs
    result: dict[str, Any] = {
        "model": {
            "id": model.id,
            "name": model.name,
            "source": model.source,
            "notes": model.notes,
        },
        "estimate": ESTIMATE,
        "outputs": list(outputs),
        "times_min": _rounded(typical.times_min),
        "conc_ng_ml": {name: _rounded(typical.conc[0, o]) for o, name in enumerate(outputs)},
        "cmax_ng_ml": {name: round(float(metrics.cmax_ng_ml[0, o]), 3) for o, name in
                       enumerate(outputs)},
        "tmax_min": {name: float(metrics.tmax_min[0, o]) for o, name in enumerate(outputs)},
        "auc_ng_h_ml": {name: round(float(metrics.auc_ng_h_ml[0, o]), 3) for o, name in
                        enumerate(outputs)},
        "thresholds": [
            {
                "level_ng_ml": level,
                "output": outputs[0],
                "time_above_min": float(summary.time_above_min(typical, level)[0]),
                "falls_below_min": _finite_or_none(summary.falls_below_min(typical, level)[0]),
            }
            for level in request.thresholds_ng_ml
        ],
    }  # fmt: skip
    if request.n is not None:
        if not model.has_variability:
            raise PKError("population", f"the {model.id} model has no published variability")
        if request.n * count > max_population_work:
            raise PKError(
                "population.n",
                f"n x time points is at most {max_population_work:,}: fewer subjects or a "
                "larger step",
            )
        seed = DEFAULT_SEED if request.seed is None else request.seed
        population = simulate(model, request.covariates, request.doses, request.t_end_min,
                              request.step_min, n=request.n, seed=seed)  # fmt: skip
        bands = summary.percentiles(population)
        peaks = summary.metrics(population).cmax_ng_ml
        result["population"] = {"n": request.n, "seed": seed}
        result["percentiles"] = {
            name: {f"p{q:g}": _rounded(bands[i, o]) for i, q in enumerate(summary.PERCENTILES)}
            for o, name in enumerate(outputs)
        }
        result["cmax_percentiles_ng_ml"] = {
            name: {
                f"p{q:g}": round(float(np.percentile(peaks[:, o], q)), 3)
                for q in summary.PERCENTILES
            }
            for o, name in enumerate(outputs)
        }
    return result


def _finite_or_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
