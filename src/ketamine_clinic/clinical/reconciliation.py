"""Physical counts against the ledger, and the deadlines a loss sets running.

Inventories: an initial one, then at least every 2 years, stating whether taken at the
opening or the close of business; an opened Schedule III container may be estimated, though
some states demand exact counts (21 CFR 1304.11; CLINICAL.md 5). Theft or significant loss:
written notice to the DEA within 1 business day of discovery and DEA Form 106 within 45 days
(21 CFR 1301.76(b)). This module computes; a person decides whether a shortfall is a loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ketamine_clinic.clinical.rule_error import RuleError

FORM_106_WITHIN = timedelta(days=45)
BIENNIAL = timedelta(days=2 * 365)


@dataclass(frozen=True)
class Line:
    container: str
    expected_mg: Decimal
    counted_mg: Decimal
    estimated: bool  # an opened container counted by estimate

    @property
    def difference_mg(self) -> Decimal:
        """Counted minus expected: negative is missing drug."""
        return self.counted_mg - self.expected_mg


@dataclass(frozen=True)
class Outcome:
    lines: tuple[Line, ...]
    shortfall_mg: Decimal  # exact counts only: what the ledger says should be there and is not
    review: tuple[str, ...]  # estimated lines that differ: a person judges them


class CountError(RuleError):
    """A count line the rules refuse (HTTP 422)."""


def check_estimate(*, estimated: bool, opened: bool, exact_required: bool) -> None:
    """Only an opened Schedule III container may be estimated, and not where the state
    demands exact counts (21 CFR 1304.11(e)(3); the state rule is the registration's
    setting)."""
    if not estimated:
        return
    if not opened:
        raise CountError("estimated", "an unopened container is counted exactly")
    if exact_required:
        raise CountError("estimated", "this registration counts every container exactly")


def reconcile(lines: list[Line]) -> Outcome:
    exact_short = sum(
        (-line.difference_mg for line in lines if not line.estimated and line.difference_mg < 0),
        start=Decimal(0),
    )
    review = tuple(line.container for line in lines if line.estimated and line.difference_mg)
    return Outcome(tuple(lines), exact_short, review)


def next_business_day(day: date) -> date:
    """The 1-business-day notice: the next weekday (federal holidays are the clinic's to
    allow for; the app does not know them)."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


def form_106_due(discovered: date) -> date:
    return discovered + FORM_106_WITHIN


def biennial_due(last_inventory: date | None) -> date | None:
    """When the next biennial inventory is due (none recorded: the initial one is due now)."""
    return None if last_inventory is None else last_inventory + BIENNIAL
