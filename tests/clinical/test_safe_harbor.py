"""The de-identification rules at their boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ketamine_clinic.clinical.safe_harbor import (
    MAX_OFFSET_DAYS,
    age_group,
    new_offset_days,
    new_study_id,
    shift_date,
    shift_time,
)


@pytest.mark.parametrize(("age", "group"), [(0, "0"), (18, "18"), (89, "89"), (90, "90+"),
                                            (104, "90+")])  # fmt: skip
def test_ages_over_89_are_one_group(age: int, group: str) -> None:
    assert age_group(age) == group


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="not negative"):
        age_group(-1)


def test_offsets_and_ids_are_random_and_in_range() -> None:
    offsets = {new_offset_days() for _ in range(300)}
    assert 0 not in offsets
    assert all(-MAX_OFFSET_DAYS <= o <= MAX_OFFSET_DAYS for o in offsets)
    assert len(offsets) > 100
    ids = {new_study_id() for _ in range(300)}
    assert len(ids) == 300
    assert all(len(i) == 10 and i.startswith("S") for i in ids)


def test_shifting_keeps_intervals() -> None:
    assert shift_date(date(2026, 3, 1), -1) == "2026-02-28"
    first = datetime(2026, 1, 1, 9, 30, 45, tzinfo=UTC)
    later = datetime(2026, 1, 8, 9, 30, 45, tzinfo=UTC)
    a, b = shift_time(first, 40), shift_time(later, 40)
    assert (datetime.fromisoformat(b) - datetime.fromisoformat(a)).days == 7
    assert ":45" not in a
