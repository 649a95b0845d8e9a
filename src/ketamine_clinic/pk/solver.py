"""The exact solution of a linear compartment system under impulses and constant-rate inputs.

Between two input events the inputs are constant, so in each subject's eigenbasis every mode
is one exponential plus a constant: z_j(t_e + tau) = alpha_j exp(lambda_j tau) + beta_j with
beta_j = -u_j / lambda_j. At an event the modes take the impulse and the new rate; nothing is
integrated numerically. On a uniform grid, exp(lambda (tau0 + (qB + b) h)) splits into a
per-block factor and a per-offset factor, so the concentrations of a whole segment for every
subject are one batched matrix product: the work is a few multiply-adds per output point and
the rest is writing the output. A subject whose eigenvectors are ill-conditioned (two nearly
equal rate constants) is solved instead with matrix exponentials of the system augmented by
its input and its running AUC, which is exact in every case and only slower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.pk.system import Array, Impulse, Input, Rate, System

MAX_POINTS = 2_000_000  # per subject: a grid finer than this is a mistake, not a question
MAX_CONDITION = 1e8  # eigenvector condition above which a subject is solved by expm
BLOCK = 32  # grid points per block in the batched product (measured fastest on 2 cores)
# Subjects solved together. Temporaries stay a few MB, so the allocator reuses them instead
# of mapping fresh pages for every array (first-touch page faults cost more than the maths).
CHUNK = 512


@dataclass(frozen=True)
class Solution:
    times_min: Array  # (T,)
    conc: Array  # (S, o, T) ng/mL
    auc: Array  # (S, o) ng*min/mL over [0, t_end], exact
    outputs: tuple[str, ...]


def points(t_end_min: float, step_min: float, limit: int = MAX_POINTS) -> int:
    """How many grid points, checked before anything is allocated."""
    if not (math.isfinite(t_end_min) and t_end_min > 0):
        raise PKError("t_end_min", "must be above zero")
    if not (math.isfinite(step_min) and step_min > 0):
        raise PKError("step_min", "must be above zero")
    count = math.floor(t_end_min / step_min + 1e-9) + 1
    if count > limit:
        raise PKError("step_min", f"at most {limit:,} time points: use a larger step")
    return count


def grid(t_end_min: float, step_min: float) -> Array:
    """0, h, 2h, ... up to t_end (t_end included when it falls on the grid)."""
    return np.arange(points(t_end_min, step_min), dtype=np.float64) * step_min


def _modes(a: Array) -> tuple[Array, Array, Array, Array]:
    """Eigenvalues, eigenvectors and their inverse per subject, and which subjects need the
    matrix-exponential path (complex or nearly repeated eigenvalues)."""
    lam, vec = np.linalg.eig(a)
    bad = np.zeros(a.shape[0], dtype=bool)
    if np.iscomplexobj(lam):
        bad |= np.any(np.abs(lam.imag) > 1e-12 * np.abs(lam), axis=1)
        lam, vec = lam.real, vec.real
    bad |= np.any(lam >= 0, axis=1)  # a system without elimination is not a PK model here
    eye = np.eye(a.shape[1])
    try:
        inv = np.linalg.inv(np.where(bad[:, None, None], eye, vec))
    except np.linalg.LinAlgError:  # a singular eigenbasis somewhere: find it the slow way
        condition = np.linalg.cond(vec)
        bad |= ~np.isfinite(condition) | (condition > MAX_CONDITION)
        inv = np.linalg.inv(np.where(bad[:, None, None], eye, vec))
    # The columns of vec have unit length, so cond(vec) <= sqrt(n) |inv|_F: a cheap bound.
    bound = math.sqrt(a.shape[1]) * np.linalg.norm(inv, axis=(1, 2))
    bad |= ~np.isfinite(bound) | (bound > MAX_CONDITION)
    vec = np.where(bad[:, None, None], eye, vec)
    inv = np.where(bad[:, None, None], eye, inv)
    lam = np.where(bad[:, None], -1.0, lam)
    return lam, vec, inv, bad


def _events(inputs: list[Input], t_end: float) -> Array:
    times = {0.0}
    for item in inputs:
        if isinstance(item, Impulse):
            times.add(item.at_min)
        else:
            times.update((item.start_min, item.end_min))
    return np.array(sorted(t for t in times if t <= t_end))


def _vectors(system: System, inputs: list[Input], t: float) -> tuple[Array, Array]:
    """The impulses given at t and the constant input rate from t on, as state vectors."""
    size, n = system.subjects, len(system.states)
    kick, rate = np.zeros((size, n)), np.zeros((size, n))
    for item in inputs:
        if isinstance(item, Impulse) and item.at_min == t:
            kick[:, system.index(item.state)] += item.amount
        elif isinstance(item, Rate) and item.start_min <= t < item.end_min:
            rate[:, system.index(item.state)] += item.rate
    return kick, rate


TINY = 1e-250  # below this a mode has died out; zero avoids slow subnormal arithmetic


class _Grid:
    """What every segment of a uniform grid shares: exp(lambda b h) for the offsets b in a
    block, with a row of ones that carries the constant term through the same product."""

    def __init__(self, lam: Array, h: float, scratch: Array) -> None:
        self.lam, self.h, self.scratch = lam, h, scratch
        offsets = np.ones((lam.shape[0], lam.shape[1] + 1, BLOCK))
        offsets[:, :-1, :] = np.exp(lam[:, :, None] * (np.arange(BLOCK) * h)[None, None, :])
        self.offsets = offsets
        self.block_step = np.exp(lam * (BLOCK * h))  # (S, n)

    def fill(self, out: Array, k0: int, k1: int, coef: Array, const: Array, tau0: float) -> None:
        """out[:, :, k0:k1] = sum_j coef_j exp(lam_j (tau0 + m h)) + const, m = 0..k1-k0-1."""
        length = k1 - k0
        if length <= 0:
            return
        lam, h = self.lam, self.h
        size, modes = lam.shape
        full = length // BLOCK if length >= 2 * BLOCK else 0
        if full:
            # exp(lam (tau0 + q B h)) by repeated multiplication: one exp per mode, not per block
            # Both work arrays are contiguous views of one buffer reused by every segment and
            # chunk: fresh allocations of this size cost more in page faults than the maths.
            starts = self.scratch[: size * full * modes].reshape(size, full, modes)
            left = self.scratch[size * full * modes : size * full * (2 * modes + 1)].reshape(
                size, full, modes + 1
            )
            starts[:, 0, :] = np.exp(lam * tau0)
            starts[:, 1:, :] = self.block_step[:, None, :]
            np.cumprod(starts, axis=1, out=starts)
            starts[starts < TINY] = 0.0
            for o in range(coef.shape[1]):
                np.multiply(starts, coef[:, o, None, :], out=left[:, :, :modes])
                left[:, :, modes] = const[:, o, None]
                view = out[:, o, k0 : k0 + full * BLOCK].reshape(size, full, BLOCK)
                np.matmul(left, self.offsets, out=view)
        rest = np.arange(full * BLOCK, length)
        if rest.size:
            tau = tau0 + rest * h
            waves = np.exp(lam[:, None, :] * tau[None, :, None])  # (S, m, n)
            tail = np.einsum("son,smn->som", coef, waves)
            out[:, :, k0 + rest[0] : k0 + length] = tail + const[:, :, None]


def _scratch(size: int, modes: int, times: Array, events: Array) -> Array:
    """One buffer big enough for the longest segment's work arrays."""
    first = np.searchsorted(times, events, side="left")
    longest = int(np.max(np.diff(np.append(first, times.size))))
    return np.empty(size * (longest // BLOCK + 1) * (2 * modes + 1))


def _solve_modal(
    system: System,
    inputs: list[Input],
    times: Array,
    events: Array,
    t_end: float,
    out: Array,
    scratch: Array,
) -> tuple[Array, Array]:
    lam, vec, inv, bad = _modes(system.a)
    weights = np.einsum("son,snj->soj", system.c, vec)  # outputs of each mode
    h = float(times[1] - times[0]) if times.size > 1 else 1.0
    shared = _Grid(lam, h, scratch)
    first = np.searchsorted(times, events, side="left")  # first grid point of each segment
    z = np.zeros(lam.shape)
    auc = np.zeros(system.c.shape[:2])
    for e, start in enumerate(events):
        kick, rate = _vectors(system, inputs, float(start))
        z = z + np.einsum("sij,sj->si", inv, kick)
        beta = -np.einsum("sij,sj->si", inv, rate) / lam
        alpha = z - beta
        end = float(events[e + 1]) if e + 1 < events.size else t_end
        k1 = int(first[e + 1]) if e + 1 < events.size else times.size
        coef = weights * alpha[:, None, :]
        const = np.einsum("soj,sj->so", weights, beta)
        k0 = int(first[e])
        shared.fill(out, k0, k1, coef, const, float(times[k0] - start) if k0 < k1 else 0.0)
        span = end - float(start)
        decay = np.exp(lam * span)
        auc += np.einsum("soj,sj->so", weights, alpha * (decay - 1.0) / lam + beta * span)
        z = alpha * decay + beta
    return auc, bad


def _solve_expm(
    system: System, inputs: list[Input], s: int, times: Array, events: Array, t_end: float
) -> tuple[Array, Array]:
    """One subject by matrix exponentials of [[A, u, 0], [0, 0, 0], [C, 0, 0]]: the state, the
    constant input and the running integral of each output, exact whatever the eigenvalues."""
    n, o = len(system.states), system.c.shape[1]
    size = n + 1 + o
    conc = np.zeros((o, times.size))
    x = np.zeros(size)
    x[n] = 1.0
    for e, start in enumerate(events):
        kick, rate = _vectors(system, inputs, float(start))
        x[:n] += kick[s]
        m = np.zeros((size, size))
        m[:n, :n] = system.a[s]
        m[:n, n] = rate[s]
        m[n + 1 :, :n] = system.c[s]
        end = float(events[e + 1]) if e + 1 < events.size else t_end
        mask = (times >= start) & ((times < end) if e + 1 < events.size else (times <= end))
        for k in np.flatnonzero(mask):
            conc[:, k] = system.c[s] @ (scipy.linalg.expm(m * (times[k] - start)) @ x)[:n]
        x = scipy.linalg.expm(m * (end - float(start))) @ x
    return conc, x[n + 1 :]


def solve(
    system: System,
    inputs: list[Input],
    t_end_min: float,
    step_min: float,
    out: Array | None = None,
) -> Solution:
    """Concentrations on the grid for every subject, and their exact AUC. `out`, if given, is
    filled in place (shape (S, o, T)), so a caller can reuse a large buffer."""
    times = grid(t_end_min, step_min)
    shape = (system.subjects, len(system.outputs), times.size)
    if out is None:
        out = np.empty(shape)
    elif out.shape != shape:
        raise PKError("out", f"needs shape {shape}")
    events = _events(inputs, float(t_end_min))
    auc = np.empty(shape[:2])
    scratch = _scratch(min(CHUNK, system.subjects), len(system.states), times, events)
    for first in range(0, system.subjects, CHUNK):
        part = slice(first, first + CHUNK)
        sub, sub_inputs = _subjects(system, inputs, part)
        auc[part], bad = _solve_modal(
            sub, sub_inputs, times, events, float(t_end_min), out[part], scratch
        )
        for s in np.flatnonzero(bad):
            out[first + s], auc[first + s] = _solve_expm(
                sub, sub_inputs, int(s), times, events, float(t_end_min)
            )
    return Solution(times, out, auc, system.outputs)


def _subjects(system: System, inputs: list[Input], part: slice) -> tuple[System, list[Input]]:
    sub = System(system.states, system.outputs, system.a[part], system.c[part])
    return sub, [
        Impulse(i.at_min, i.state, i.amount[part])
        if isinstance(i, Impulse)
        else Rate(i.start_min, i.end_min, i.state, i.rate[part])
        for i in inputs
    ]
