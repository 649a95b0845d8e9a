"""A linear compartment system for a batch of subjects, and what enters it when.

Amounts are in mg, time in minutes. `a[s]` is subject s's rate matrix (dx/dt = a x + u);
`c[s]` turns amounts into concentrations in ng/mL, one row per output (parent, metabolite).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class System:
    states: tuple[str, ...]
    outputs: tuple[str, ...]
    a: Array  # (S, n, n) per minute
    c: Array  # (S, o, n) ng/mL per mg

    @property
    def subjects(self) -> int:
        return int(self.a.shape[0])

    def index(self, state: str) -> int:
        return self.states.index(state)


@dataclass(frozen=True)
class Impulse:
    """`amount[s]` mg placed in a state at once (a bolus, a device's nasal fraction)."""

    at_min: float
    state: str
    amount: Array  # (S,)


@dataclass(frozen=True)
class Rate:
    """`rate[s]` mg/min into a state from start to end (an infusion, the swallowed part of a
    nasal dose)."""

    start_min: float
    end_min: float
    state: str
    rate: Array  # (S,)


Input = Impulse | Rate


def rate_matrix(states: tuple[str, ...], flows: dict[tuple[str, str | None], Array]) -> Array:
    """The rate matrix from first-order flows {(from, to): k per minute}; `to` None is
    elimination. Each flow leaves its source and, unless eliminated, enters its target (a
    yield other than 1, e.g. a molecular-weight ratio, is a separate flow entry with the key
    ("from", "to*")."""
    n = len(states)
    size = next(iter(flows.values())).shape[0]
    a = np.zeros((size, n, n))
    for (source, target), k in flows.items():
        i = states.index(source)
        if target is not None and target.endswith("*"):
            a[:, states.index(target[:-1]), i] += k  # formation only: the loss is elsewhere
            continue
        a[:, i, i] -= k
        if target is not None:
            a[:, states.index(target), i] += k
    return a
