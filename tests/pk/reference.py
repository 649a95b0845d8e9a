"""The same systems integrated numerically by SciPy's solve_ivp at tight tolerance: the
independent check of the exact solver."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ketamine_clinic.pk.system import Impulse, Input, Rate, System

# Two input events closer than this are one moment: Radau cannot take a step of 1e-300 min
# (Hypothesis draws such times), and what flows in during it is below every tolerance here.
TINY_MIN = 1e-9


def integrate(
    system: System,
    inputs: list[Input],
    times: np.ndarray,
    s: int = 0,
    *,
    method: str = "Radau",
    rtol: float = 1e-12,
    atol: float = 1e-14,
) -> np.ndarray:
    """Concentrations (o, T) of subject s, integrating piecewise between input events."""
    a = system.a[s]
    n = a.shape[0]
    events = sorted(
        {0.0, float(times[-1])}
        | {float(i.at_min) for i in inputs if isinstance(i, Impulse)}
        | {float(t) for i in inputs if isinstance(i, Rate) for t in (i.start_min, i.end_min)}
    )
    events = [t for t in events if t <= times[-1]]
    x = np.zeros(n)
    out = np.zeros((system.c.shape[1], times.size))
    for e, start in enumerate(events):
        for i in inputs:
            if isinstance(i, Impulse) and i.at_min == start:
                x[system.index(i.state)] += i.amount[s]
        u = np.zeros(n)
        for i in inputs:
            if isinstance(i, Rate) and i.start_min <= start < i.end_min:
                u[system.index(i.state)] += i.rate[s]
        end = events[e + 1] if e + 1 < len(events) else float(times[-1])
        last = e + 1 == len(events)
        mask = (times >= start) & ((times <= end) if last else (times < end))
        if end - start > TINY_MIN:
            wanted = np.union1d(times[mask], [end])
            solution = solve_ivp(
                lambda _t, y, u=u: a @ y + u,
                (start, end),
                x,
                method=method,
                jac=lambda _t, _y: a,
                rtol=rtol,
                atol=atol,
                t_eval=wanted,
            )
            found = np.isin(wanted, times[mask])
            out[:, mask] = system.c[s] @ solution.y[:, found]
            x = solution.y[:, -1]
        elif mask.any():
            out[:, mask] = (system.c[s] @ x)[:, None]
    return out
