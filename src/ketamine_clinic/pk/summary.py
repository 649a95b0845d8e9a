"""What a curve says: peak and when, exposure, time above a level and when it falls below,
and the spread of a virtual population. Peaks and times are read on the grid (to within one
step); the AUC is exact."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ketamine_clinic.pk.solver import Solution
from ketamine_clinic.pk.system import Array

PERCENTILES = (5.0, 50.0, 95.0)


@dataclass(frozen=True)
class Metrics:
    cmax_ng_ml: Array  # (S, o)
    tmax_min: Array  # (S, o)
    auc_ng_h_ml: Array  # (S, o)


def metrics(solution: Solution) -> Metrics:
    peak = np.argmax(solution.conc, axis=2)
    cmax = np.take_along_axis(solution.conc, peak[:, :, None], axis=2)[:, :, 0]
    return Metrics(cmax, solution.times_min[peak], solution.auc / 60.0)


def time_above_min(solution: Solution, level_ng_ml: float, output: int = 0) -> Array:
    """Minutes each subject spends above the level (grid points above x the step)."""
    step = (
        float(solution.times_min[1] - solution.times_min[0]) if solution.times_min.size > 1 else 0.0
    )
    return np.count_nonzero(solution.conc[:, output, :] > level_ng_ml, axis=1) * step


def falls_below_min(solution: Solution, level_ng_ml: float, output: int = 0) -> Array:
    """The first time after the peak at which the concentration is below the level, per
    subject; NaN when it is still above at the end of the curve."""
    conc = solution.conc[:, output, :]
    peak = np.argmax(conc, axis=1)
    after = np.arange(conc.shape[1])[None, :] > peak[:, None]
    below = (conc < level_ng_ml) & after
    first = np.argmax(below, axis=1)
    found = below[np.arange(conc.shape[0]), first]
    return np.where(found, solution.times_min[first], np.nan)


def percentiles(solution: Solution, q: tuple[float, ...] = PERCENTILES) -> Array:
    """(len(q), o, T): the population's percentiles at each time."""
    return np.percentile(solution.conc, q, axis=0)
