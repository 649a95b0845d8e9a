"""The exact solver against SciPy's solve_ivp at tight tolerance, for every model and route,
typical and random subjects: within 1e-6 relative wherever the curve is not negligible."""

from __future__ import annotations

import numpy as np
import pytest

from ketamine_clinic.pk import models, regimen
from ketamine_clinic.pk.regimen import Dose
from ketamine_clinic.pk.simulate import build
from ketamine_clinic.pk.solver import solve
from ketamine_clinic.pk.system import Impulse, System
from tests.pk.reference import integrate

ADULT = models.Covariates(weight_kg=72.0, age_years=67.0)


def assert_exact(got: np.ndarray, want: np.ndarray) -> None:
    """1e-6 relative to each point, or to the curve's peak where it has decayed away."""
    scale = np.abs(want).max(axis=-1, keepdims=True)
    np.testing.assert_array_less(np.abs(got - want), 1e-6 * np.maximum(np.abs(want), 1e-3 * scale))


CASES = [
    ("domino", [Dose("iv_bolus", 0, 20), Dose("iv_infusion", 10, 35, duration_min=40)]),
    ("fanta-otto", [Dose("iv_infusion", 0, 35, duration_min=40)]),
    ("clements", [Dose("iv_infusion", 0, 35, duration_min=40), Dose("iv_bolus", 300, 10)]),
    # paused after 20 min for 5, then resumed at a lower rate: each piece is an infusion
    (
        "domino",
        [Dose("iv_infusion", 0, 20, duration_min=20), Dose("iv_infusion", 25, 10, duration_min=20)],
    ),
    ("fanta-otto", [Dose("im", 0, 50), Dose("iv_bolus", 90, 10)]),
    ("perez-ruixo", [Dose("intranasal", 0, 56, devices=2)]),
    ("perez-ruixo", [Dose("intranasal", 0, 84, devices=3), Dose("intranasal", 600, 28, devices=1)]),
    ("perez-ruixo", [Dose("iv_infusion", 0, 28, duration_min=40)]),
]


@pytest.mark.parametrize(("model_id", "doses"), CASES)
@pytest.mark.parametrize("seed", [None, 7])
def test_against_solve_ivp(model_id: str, doses: list[Dose], seed: int | None) -> None:
    model = models.MODELS[model_id]
    if seed is not None and not model.has_variability:
        pytest.skip("no published variability")
    system, inputs = build(model, ADULT, doses, n=3, seed=seed)
    solution = solve(system, inputs, 24 * 60, 2.5)
    for s in range(3):
        want = integrate(system, inputs, solution.times_min, s)
        assert_exact(solution.conc[s], want)


def test_a_whole_course_against_solve_ivp() -> None:
    """Eight twice-weekly doses over four weeks, every 5 minutes."""
    doses = regimen.on_days(Dose("intranasal", 600, 56, devices=2), regimen.TWICE_WEEKLY_4_WEEKS)
    system, inputs = build(models.PEREZ_RUIXO, ADULT, doses, n=1, seed=3)
    solution = solve(system, inputs, 28 * 1440, 5)
    assert solution.conc.shape == (1, 2, 8065)
    assert_exact(solution.conc[0], integrate(system, inputs, solution.times_min, 0))


def test_repeated_eigenvalues_take_the_matrix_exponential_path() -> None:
    """Two compartments in a chain with the same rate: the solution is D k t exp(-kt) / V,
    which has no eigenbasis; the fallback is exact too."""
    k = 0.05
    a = np.array([[[-k, 0.0], [k, -k]]])
    system = System(("first", "second"), ("second",), a, np.array([[[0.0, 1.0]]]))
    solution = solve(system, [Impulse(0.0, "first", np.array([10.0]))], 120, 1)
    t = solution.times_min
    np.testing.assert_allclose(
        solution.conc[0, 0], 10 * k * t * np.exp(-k * t), rtol=1e-10, atol=1e-13
    )
    np.testing.assert_allclose(
        solution.auc[0, 0], 10 / k * (1 - np.exp(-k * 120) * (1 + k * 120)), rtol=1e-10
    )
