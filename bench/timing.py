"""Timing shared by the micro-benchmarks (reads.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def per_call_us(run: Callable[[], Any], repeat: int) -> float:
    """Microseconds per call, the best of five rounds: a busy machine only ever makes a round
    slower."""
    run()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            run()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1e6
