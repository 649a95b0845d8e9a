"""The message tests run at midday, whatever the hour the suite runs: a message waits out the
clinic's quiet hours (21:00 to 08:00 by default), so a test of what goes out, run in the
evening, found nothing sent. The quiet-hours test moves the clock into them itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone


@pytest.fixture(autouse=True)
def midday() -> Iterator[None]:
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        yield
