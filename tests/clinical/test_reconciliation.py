"""Counts against the ledger and the DEA deadlines a loss sets running."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.reconciliation import (
    CountError,
    Line,
    biennial_due,
    check_estimate,
    form_106_due,
    next_business_day,
    reconcile,
)


def test_exact_shortfalls_add_up_and_estimates_go_to_a_person() -> None:
    outcome = reconcile(
        [
            Line("K1", Decimal(500), Decimal(500), estimated=False),
            Line("K2", Decimal(465), Decimal(450), estimated=False),
            Line("K3", Decimal(300), Decimal(305), estimated=False),  # an overage is no loss
            Line("K4", Decimal(250), Decimal(240), estimated=True),
        ]
    )
    assert outcome.shortfall_mg == Decimal(15)
    assert outcome.review == ("K4",)
    assert [line.difference_mg for line in outcome.lines] == [0, -15, 5, -10]


@pytest.mark.parametrize(
    ("discovered", "due"),
    [
        (date(2026, 11, 16), date(2026, 11, 17)),  # Monday -> Tuesday
        (date(2026, 11, 20), date(2026, 11, 23)),  # Friday -> Monday
        (date(2026, 11, 21), date(2026, 11, 23)),  # Saturday -> Monday
        (date(2026, 11, 22), date(2026, 11, 23)),  # Sunday -> Monday
    ],
)
def test_notice_within_one_business_day(discovered: date, due: date) -> None:
    assert next_business_day(discovered) == due


def test_form_106_and_biennial_dates() -> None:
    assert form_106_due(date(2026, 11, 20)) == date(2027, 1, 4)
    assert biennial_due(date(2026, 1, 5)) == date(2028, 1, 5)
    assert biennial_due(None) is None


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000), st.booleans()), max_size=30))
def test_the_shortfall_is_the_sum_of_exact_missing_drug(
    counts: list[tuple[int, int, bool]],
) -> None:
    lines = [Line(str(n), Decimal(e), Decimal(c), est) for n, (e, c, est) in enumerate(counts)]
    outcome = reconcile(lines)
    assert outcome.shortfall_mg >= 0
    assert outcome.shortfall_mg == sum(
        (max(Decimal(0), Decimal(e - c)) for e, c, est in counts if not est), start=Decimal(0)
    )


@pytest.mark.parametrize(
    ("estimated", "opened", "exact_required", "refused"),
    [
        (False, False, False, False),
        (False, True, True, False),  # an exact count is always allowed
        (True, True, False, False),  # an opened Schedule III container may be estimated
        (True, False, False, True),  # an unopened one is counted
        (True, True, True, True),  # the state demands exact counts
    ],
)
def test_when_an_estimate_is_allowed(
    estimated: bool, opened: bool, exact_required: bool, refused: bool
) -> None:
    if refused:
        with pytest.raises(CountError) as caught:
            check_estimate(estimated=estimated, opened=opened, exact_required=exact_required)
        assert caught.value.field == "estimated"
    else:
        check_estimate(estimated=estimated, opened=opened, exact_required=exact_required)
