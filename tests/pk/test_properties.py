"""Properties any linear PK engine must have: superposition, mass balance, non-negative
curves over random regimens, reproducible populations, covariates moving the curve the right
way; and bad input refused with the field named."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_clinic.pk import models, regimen, summary
from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.regimen import Dose
from ketamine_clinic.pk.simulate import build, simulate
from ketamine_clinic.pk.solver import solve
from ketamine_clinic.pk.system import Impulse, Rate, System
from tests.pk.reference import integrate

ADULT = models.Covariates(weight_kg=80, age_years=45)


def test_two_doses_are_the_sum_of_each() -> None:
    first, second = Dose("intranasal", 0, 56, devices=2), Dose("intranasal", 300, 84, devices=3)
    both = simulate(models.PEREZ_RUIXO, ADULT, [first, second], 1440, 2, n=4, seed=5)
    one = simulate(models.PEREZ_RUIXO, ADULT, [first], 1440, 2, n=4, seed=5)
    two = simulate(models.PEREZ_RUIXO, ADULT, [second], 1440, 2, n=4, seed=5)
    np.testing.assert_allclose(both.conc, one.conc + two.conc, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(both.auc, one.auc + two.auc, rtol=1e-12)


@pytest.mark.parametrize(
    ("model", "doses"),
    [
        (models.PEREZ_RUIXO, [Dose("intranasal", 0, 84, devices=3)]),
        (models.FANTA_OTTO, [Dose("im", 0, 40), Dose("iv_infusion", 60, 30, duration_min=40)]),
        (models.DOMINO, [Dose("iv_infusion", 0, 35, duration_min=40)]),
    ],
)
def test_mass_balance(model: models.Model, doses: list[Dose]) -> None:
    """What went in = what is still in the body + what was eliminated (the exact AUC of each
    amount times its elimination rate), for the parent drug."""
    system, inputs = build(model, ADULT, doses, n=3, seed=2 if model.has_variability else None,
                           metabolite=False)  # fmt: skip
    n = len(system.states)
    amounts = System(system.states, system.states, system.a, np.tile(np.eye(n), (3, 1, 1)))
    end = 3 * 1440
    solution = solve(amounts, inputs, end, 5)
    given_mg = sum(
        i.amount if isinstance(i, Impulse) else i.rate * (min(i.end_min, end) - i.start_min)
        for i in inputs
    )
    elimination = -system.a.sum(axis=1)  # (S, n): what leaves the system from each state
    eliminated = (elimination * solution.auc).sum(axis=1)
    remaining = solution.conc[:, :, -1].sum(axis=1)
    np.testing.assert_allclose(remaining + eliminated, given_mg, rtol=1e-9)


doses = st.lists(
    st.one_of(
        st.builds(Dose, st.just("iv_bolus"), st.floats(0, 600), st.floats(1, 100)),
        st.builds(Dose, st.just("im"), st.floats(0, 600), st.floats(1, 100)),
        st.builds(
            Dose, st.just("iv_infusion"), st.floats(0, 600), st.floats(1, 100), st.floats(1, 120)
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=20, deadline=None)
@given(doses, st.integers(0, 2**16))
def test_random_regimens_match_solve_ivp(regimen_: list[Dose], seed: int) -> None:
    system, inputs = build(models.FANTA_OTTO, ADULT, regimen_, n=1, seed=seed)
    solution = solve(system, inputs, 900, 7.5)
    want = integrate(system, inputs, solution.times_min, 0)
    scale = np.abs(want).max(axis=-1, keepdims=True)
    assert np.all(np.abs(solution.conc[0] - want) <= 1e-6 * np.maximum(np.abs(want), 1e-3 * scale))
    assert solution.conc.min() >= -1e-9 * scale.max()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 10_000), st.sampled_from([1, 2, 3])), min_size=1, max_size=8)
)
def test_random_nasal_regimens_stay_non_negative_and_superpose(
    plan: list[tuple[float, int]],
) -> None:
    doses = [Dose("intranasal", at, 28.0 * n, devices=n) for at, n in plan]
    together = simulate(models.PEREZ_RUIXO, ADULT, doses, 12_000, 10, metabolite=False)
    apart = sum(
        simulate(models.PEREZ_RUIXO, ADULT, [d], 12_000, 10, metabolite=False).conc for d in doses
    )
    peak = together.conc.max()
    assert together.conc.min() >= -1e-9 * peak
    np.testing.assert_allclose(together.conc, apart, rtol=1e-8, atol=1e-9 * peak)


def test_seeded_populations_are_reproducible() -> None:
    dose = [Dose("intranasal", 0, 56, devices=2)]
    first = simulate(models.PEREZ_RUIXO, ADULT, dose, 600, 5, n=500, seed=11)
    again = simulate(models.PEREZ_RUIXO, ADULT, dose, 600, 5, n=500, seed=11)
    other = simulate(models.PEREZ_RUIXO, ADULT, dose, 600, 5, n=500, seed=12)
    np.testing.assert_array_equal(first.conc, again.conc)
    assert not np.array_equal(first.conc, other.conc)
    bands = summary.percentiles(first)
    assert np.all(bands[0] <= bands[1])
    assert np.all(bands[1] <= bands[2])
    typical = simulate(models.PEREZ_RUIXO, ADULT, dose, 600, 5)
    peak = int(np.argmax(typical.conc[0, 0]))
    assert bands[0, 0, peak] < typical.conc[0, 0, peak] < bands[2, 0, peak]


def _auc(model: models.Model, cov: models.Covariates, dose: Dose) -> float:
    return float(simulate(model, cov, [dose], 10 * 1440, 10, metabolite=False).auc[0, 0])


def test_covariates_move_the_curve_the_right_way() -> None:
    nasal = Dose("intranasal", 0, 56, devices=2)
    young = _auc(models.PEREZ_RUIXO, models.Covariates(age_years=40), nasal)
    assert _auc(models.PEREZ_RUIXO, models.Covariates(age_years=60), nasal) == young
    assert _auc(models.PEREZ_RUIXO, models.Covariates(age_years=80), nasal) > young  # less flow
    asian = models.Covariates(age_years=40, asian=True)
    assert _auc(models.PEREZ_RUIXO, asian, nasal) > young  # slower hepatic elimination
    same_mg = Dose("iv_bolus", 0, 35)
    light = simulate(models.FANTA_OTTO, models.Covariates(weight_kg=55), [same_mg], 60, 1)
    heavy = simulate(models.FANTA_OTTO, models.Covariates(weight_kg=110), [same_mg], 60, 1)
    assert light.conc[0, 0, 0] > heavy.conc[0, 0, 0]  # the same mg in a larger volume
    assert light.auc[0, 0] > heavy.auc[0, 0]  # and cleared faster


def test_time_above_and_falling_below() -> None:
    solution = simulate(models.DOMINO, models.Covariates(weight_kg=70),
                        [Dose("iv_infusion", 0, 35, duration_min=40)], 240, 0.5)  # fmt: skip
    above = summary.time_above_min(solution, 100.0)[0]
    below = summary.falls_below_min(solution, 100.0)[0]
    conc, t = solution.conc[0, 0], solution.times_min
    assert conc[t == below][0] < 100 <= conc[t == below - 0.5][0]
    assert 0 < above < below
    assert np.isnan(summary.falls_below_min(solution, 0.001)[0])  # not within 4 hours


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: simulate(models.DOMINO, ADULT, [Dose("im", 0, 50)], 60, 1), "regimen[0].route"),
        (
            lambda: simulate(models.DOMINO, ADULT, [Dose("iv_bolus", 0, -5)], 60, 1),
            "regimen[0].dose_mg",
        ),
        (
            lambda: simulate(models.DOMINO, ADULT, [Dose("iv_bolus", 0, 5000)], 60, 1),
            "regimen[0].dose_mg",
        ),
        (lambda: simulate(models.DOMINO, ADULT, [Dose("oral", 0, 5)], 60, 1), "regimen[0].route"),
        (
            lambda: simulate(models.DOMINO, ADULT, [Dose("iv_bolus", float("nan"), 5)], 60, 1),
            "regimen[0].at_min",
        ),
        (
            lambda: simulate(models.DOMINO, ADULT, [Dose("iv_infusion", 0, 5)], 60, 1),
            "regimen[0].duration_min",
        ),
        (
            lambda: simulate(
                models.PEREZ_RUIXO, ADULT, [Dose("intranasal", 0, 50, devices=2)], 60, 1
            ),
            "regimen[0].dose_mg",
        ),
        (
            lambda: simulate(
                models.PEREZ_RUIXO, ADULT, [Dose("intranasal", 0, 112, devices=4)], 60, 1
            ),
            "regimen[0].devices",
        ),
        (
            lambda: simulate(models.DOMINO, models.Covariates(), [Dose("iv_bolus", 0, 5)], 60, 1),
            "covariates.weight_kg",
        ),
        (
            lambda: simulate(
                models.DOMINO, models.Covariates(weight_kg=900), [Dose("iv_bolus", 0, 5)], 60, 1
            ),
            "covariates.weight_kg",
        ),
        (
            lambda: simulate(models.DOMINO, ADULT, [Dose("iv_bolus", 0, 5)], 60, 1, n=5, seed=1),
            "population",
        ),
        (
            lambda: simulate(
                models.PEREZ_RUIXO, ADULT, [Dose("iv_bolus", 0, 5)], 60, 1, n=100_001, seed=1
            ),
            "population.n",
        ),
        (lambda: simulate(models.DOMINO, ADULT, [Dose("iv_bolus", 0, 5)], 1e9, 1e-3), "step_min"),
        (lambda: simulate(models.DOMINO, ADULT, [Dose("iv_bolus", 0, 5)], -1, 1), "t_end_min"),
        (lambda: simulate(models.DOMINO, ADULT, [], 60, 1), "regimen"),
    ],
)
def test_bad_input_names_the_field(call: object, field: str) -> None:
    with pytest.raises(PKError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field


def test_regimen_helpers() -> None:
    dose = Dose("intranasal", 600, 56, devices=2)
    course = regimen.on_days(dose, regimen.TWICE_WEEKLY_4_WEEKS)
    assert [d.at_min / 1440 for d in course][:3] == pytest.approx(
        [600 / 1440, 3 + 600 / 1440, 7 + 600 / 1440]
    )
    assert len(regimen.repeat(dose, 2880, 4)) == 4
    assert dose.device_times() == [600, 605]
    assert isinstance(
        models.PEREZ_RUIXO.dose_inputs(dose, models.individuals(models.PEREZ_RUIXO, 1, None))[1],
        Rate,
    )


def test_one_covariate_value_per_subject() -> None:
    """A population built from covariates (Domino has no variability): each subject's curve
    is the one its own weight gives."""
    dose = [Dose("iv_infusion", 0, 35, duration_min=40)]
    weights = np.array([50.0, 80.0, 120.0])
    together = simulate(models.DOMINO, models.Covariates(weight_kg=weights), dose, 120, 1, n=3)
    for s, weight in enumerate(weights):
        alone = simulate(models.DOMINO, models.Covariates(weight_kg=float(weight)), dose, 120, 1)
        np.testing.assert_allclose(together.conc[s], alone.conc[0], rtol=1e-12)
    with pytest.raises(PKError, match="one per subject"):
        simulate(models.DOMINO, models.Covariates(weight_kg=weights), dose, 120, 1, n=4)
    with pytest.raises(PKError, match="between 20 and 300 kg"):
        simulate(
            models.DOMINO, models.Covariates(weight_kg=np.array([50.0, 5.0])), dose, 120, 1, n=2
        )
