"""The label-level facts of CLINICAL.md 6, reproduced by the models (docs/pk-validation.md)."""

from __future__ import annotations

import numpy as np
import pytest

from ketamine_clinic.pk import models, regimen, summary
from ketamine_clinic.pk.regimen import Dose
from ketamine_clinic.pk.simulate import simulate

TYPICAL = models.Covariates()
WEEKS_4 = 28 * 1440


def auc(model: models.Model, dose: Dose, cov: models.Covariates = TYPICAL) -> float:
    """Exposure to the end of the elimination (20 days)."""
    solution = simulate(model, cov, [dose], 20 * 1440, 10, metabolite=False)
    return float(solution.auc[0, 0])


@pytest.mark.parametrize(("devices", "label_f"), [(2, 0.54), (3, 0.51)])
def test_esketamine_bioavailability(devices: int, label_f: float) -> None:
    """Absolute bioavailability ~54% at 56 mg and ~51% at 84 mg (label): AUC after the nasal
    dose over AUC after the same mg IV."""
    mg = 28.0 * devices
    nasal = auc(models.PEREZ_RUIXO, Dose("intranasal", 0, mg, devices=devices))
    iv = auc(models.PEREZ_RUIXO, Dose("iv_bolus", 0, mg))
    assert nasal / iv == pytest.approx(label_f, abs=0.01)


@pytest.mark.parametrize("devices", [1, 2, 3])
def test_esketamine_peaks_20_to_40_minutes_after_the_last_spray(devices: int) -> None:
    dose = Dose("intranasal", 0, 28.0 * devices, devices=devices)
    solution = simulate(models.PEREZ_RUIXO, TYPICAL, [dose], 12 * 60, 1)
    after_last = float(summary.metrics(solution).tmax_min[0, 0]) - dose.ends_min
    assert 20 <= after_last <= 40


def test_esketamine_half_life_is_7_to_12_hours() -> None:
    solution = simulate(
        models.PEREZ_RUIXO, TYPICAL, [Dose("intranasal", 0, 56, devices=2)], 3 * 1440, 60
    )
    conc = solution.conc[0, 0]
    for start_h, end_h in ((12, 24), (24, 48), (48, 72)):
        slope = (np.log(conc[start_h]) - np.log(conc[end_h])) / (end_h - start_h)
        assert 7 <= np.log(2) / slope <= 12


def test_no_accumulation_twice_weekly() -> None:
    """The eighth dose peaks within 1% of the first, and troughs stay near zero."""
    doses = regimen.on_days(Dose("intranasal", 0, 56, devices=2), regimen.TWICE_WEEKLY_4_WEEKS)
    solution = simulate(models.PEREZ_RUIXO, TYPICAL, doses, WEEKS_4, 1, metabolite=False)
    conc = solution.conc[0, 0]
    days = regimen.TWICE_WEEKLY_4_WEEKS
    peaks = [conc[int(d * 1440) : int(d * 1440) + 240].max() for d in days]
    assert peaks[-1] / peaks[0] == pytest.approx(1.0, abs=0.01)
    troughs = [conc[int(d * 1440) - 1] for d in days[1:]]
    assert max(troughs) < 0.002 * peaks[0]


def test_intramuscular_bioavailability_and_peak() -> None:
    """IM: 93% of the IV exposure (label-level), peaking within the assumed 15-20 minutes."""
    im = auc(models.FANTA_OTTO, Dose("im", 0, 50), models.Covariates(weight_kg=70))
    iv = auc(models.FANTA_OTTO, Dose("iv_bolus", 0, 50), models.Covariates(weight_kg=70))
    assert im / iv == pytest.approx(0.93, rel=1e-6)
    solution = simulate(
        models.FANTA_OTTO, models.Covariates(weight_kg=70), [Dose("im", 0, 50)], 120, 0.5
    )
    assert 15 <= summary.metrics(solution).tmax_min[0, 0] <= 20


def test_domino_half_an_mg_per_kg_over_40_minutes() -> None:
    """The common depression infusion peaks at the end of the infusion, in the range where
    dissociation tracks concentration (CLINICAL.md 6: 50-200 ng/mL roughly)."""
    dose = Dose("iv_infusion", 0, 35, duration_min=40)
    solution = simulate(models.DOMINO, models.Covariates(weight_kg=70), [dose], 180, 0.5)
    metrics = summary.metrics(solution)
    assert metrics.tmax_min[0, 0] == 40
    assert 150 < metrics.cmax_ng_ml[0, 0] < 350
