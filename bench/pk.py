"""Benchmark of the pharmacokinetic engine against its baselines, measured in one run.

    .venv/bin/python bench/pk.py            (opentiva: pip install cython wheel, then
                                             pip install --no-build-isolation opentiva==1.1.2)

1. 10,000 virtual patients through a 4-week twice-weekly esketamine induction (8 doses of
   56 mg), concentrations every 5 minutes (8,065 points each, 645 MB of float64): our time,
   the time to merely write that much memory (the floor), and SciPy's solve_ivp per subject
   on a sample, scaled to 10,000.
2. Domino 0.5 mg/kg over 40 minutes, for one patient and for 10,000 patients of different
   weights, against opentiva (the same model): times and the largest difference of the
   curves.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.pk.reference

from ketamine_clinic.pk import models, regimen
from ketamine_clinic.pk.simulate import build, simulate
from ketamine_clinic.pk.solver import solve
from ketamine_clinic.pk.system import Input, Rate
from tests.pk.reference import integrate

SUBJECTS = 10_000


def best(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def machine() -> str:
    cpu = "unknown CPU"
    if os.path.exists("/proc/cpuinfo"):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}"
    )


def largest_relative_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Over the points above 0.1% of the peak (below that, both are noise around zero)."""
    mask = np.abs(theirs) > 1e-3 * np.abs(theirs).max()
    return float(np.max(np.abs(ours[mask] - theirs[mask]) / np.abs(theirs[mask])))


def esketamine_population() -> None:
    print("\n1. Esketamine: 10,000 virtual patients, 8 doses of 56 mg over 4 weeks, every 5 min")
    doses = regimen.on_days(
        regimen.Dose("intranasal", 0, 56, devices=2), regimen.TWICE_WEEKLY_4_WEEKS
    )
    cov, end, step = models.Covariates(), 28 * 1440.0, 5.0
    system, inputs = build(models.PEREZ_RUIXO, cov, doses, n=SUBJECTS, seed=1, metabolite=False)
    start = time.perf_counter()
    cold = solve(system, inputs, end, step)
    cold_s = time.perf_counter() - start
    out = cold.conc  # a buffer already in memory
    warm_s = best(lambda: solve(system, inputs, end, step, out=out))
    floor_s = best(lambda: out.fill(1.0))
    first_touch_s = best(lambda: np.empty(out.shape).fill(1.0), 1)
    gb = out.nbytes / 1e9
    print(f"   output {out.shape} = {gb * 1000:.0f} MB")
    print(f"   ours, into a buffer already in memory: {warm_s:.3f} s")
    mb = f"{gb * 1000:.0f} MB"
    print(f"   ours, allocating the output (first touch of {mb}): {cold_s:.3f} s; "
          f"allocating and writing {mb} alone takes {first_touch_s:.3f} s here")  # fmt: skip
    print(f"   writing {gb * 1000:.0f} MB, nothing else (the floor): {floor_s:.3f} s "
          f"({gb / floor_s:.1f} GB/s); ours is {warm_s / floor_s:.1f}x the floor")  # fmt: skip
    solution = solve(system, inputs, end, step, out=out)
    sample = [0, 4_999, 9_999]
    for method, rtol, atol in (("Radau", 1e-10, 1e-12), ("LSODA", 1e-6, 1e-9)):
        spent, worst = 0.0, 0.0
        for s in sample:
            started = time.perf_counter()
            reference = integrate(system, inputs, solution.times_min, s, method=method,
                                  rtol=rtol, atol=atol)  # fmt: skip
            spent += time.perf_counter() - started
            worst = max(worst, largest_relative_difference(solution.conc[s], reference))
        per_subject = spent / len(sample)
        scaled = per_subject * SUBJECTS
        print(f"   solve_ivp {method} rtol {rtol:g}: {per_subject:.2f} s per subject on "
              f"{len(sample)} subjects, {scaled / 3600:.1f} h for 10,000; ours is "
              f"{scaled / warm_s:,.0f}x faster; largest difference {worst:.1e}")  # fmt: skip


def domino() -> None:
    print("\n2. Domino 0.5 mg/kg over 40 min, curve every second for 2 hours")
    try:
        import opentiva.ketamine as ot_ketamine
        import opentiva.pump as ot_pump
    except ImportError:
        print("   opentiva is not installed: see this file's docstring")
        return

    def theirs(weight: float) -> np.ndarray:
        pump = ot_pump.Pump(model=ot_ketamine.Domino(sex=0, age=40, weight=weight, height=170),
                            drug_concentration=10, end_time=7200, maintenance_infusion_duration=10,
                            maintenance_infusion_multiplier=2, cp_limit=1.2, cp_limit_duration=10,
                            max_infusion_rate=1200, bolus_time=20)  # fmt: skip
        mg = 0.5 * weight
        pump.add_infusion(start=0, dose=mg / 2400, duration=2400)
        return pump.run()[:, 1] * 1000  # µg/mL to ng/mL, one value per second 0..7199

    def ours(weights: np.ndarray) -> np.ndarray:
        doses = [regimen.Dose("iv_infusion", 0, 0.5 * float(w), duration_min=40) for w in weights]
        if weights.size == 1:
            return simulate(models.DOMINO, models.Covariates(weight_kg=float(weights[0])),
                            doses, 7199 / 60, 1 / 60).conc[:, 0, :]  # fmt: skip
        # one regimen in mg/kg for everyone: dose 1 mg for a 1 kg "patient", scaled by weight
        system, inputs = build(models.DOMINO, models.Covariates(weight_kg=weights),
                               [regimen.Dose("iv_infusion", 0, 1.0, duration_min=40)],
                               n=weights.size)  # fmt: skip
        per_kg: list[Input] = [replace(item, rate=item.rate * 0.5 * weights) for item in inputs
                  if isinstance(item, Rate)]  # fmt: skip
        return solve(system, per_kg, 7199 / 60, 1 / 60).conc[:, 0, :]

    one = np.array([70.0])
    ours_one = best(lambda: ours(one), 5)
    theirs_one = best(lambda: theirs(70.0), 5)
    difference = largest_relative_difference(ours(one)[0], theirs(70.0))
    ratio = theirs_one / ours_one
    print(f"   one patient: ours {ours_one * 1000:.2f} ms, opentiva {theirs_one * 1000:.2f} ms "
          f"({ratio:.1f}x); largest difference of the curves {difference:.1e}")  # fmt: skip
    rng = np.random.default_rng(7)
    weights = np.clip(rng.normal(80, 18, SUBJECTS), 40, 180)
    ours_many = best(lambda: ours(weights), 3)
    sample = weights[:500]
    started = time.perf_counter()
    curves = [theirs(float(w)) for w in sample]
    theirs_per = (time.perf_counter() - started) / sample.size
    ours_curves = ours(weights)
    worst = max(largest_relative_difference(ours_curves[i], curves[i]) for i in range(sample.size))
    total = theirs_per * SUBJECTS
    print(f"   10,000 patients (weights 40-180 kg): ours {ours_many:.2f} s; opentiva "
          f"{theirs_per * 1000:.2f} ms per patient on 500, {total:.0f} s for 10,000 "
          f"({total / ours_many:.0f}x); largest difference {worst:.1e}")  # fmt: skip


if __name__ == "__main__":
    print(f"Machine: {machine()}")
    esketamine_population()
    domino()
