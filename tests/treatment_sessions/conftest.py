"""A clock the tests move by hand: a session's minutes matter (device spacing, 2 hours)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone


@pytest.fixture
def clock() -> Iterator[Any]:
    """9 in the morning today, standing still until shifted."""
    with time_machine.travel(timezone.now().replace(hour=9, minute=0), tick=False) as traveller:
        yield traveller
