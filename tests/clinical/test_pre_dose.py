"""Pre-dose checks at the chair: the dose rules again on the day (spacing since the last
dose, the week's milligrams, the age of the weight), each at its boundary."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ketamine_clinic.clinical.pre_dose import check, pregnancy_relevant
from ketamine_clinic.clinical.vital_signs import Thresholds
from tests.factories.clinical import CLEAR

pytestmark = pytest.mark.pure


def test_all_clear() -> None:
    assert check(CLEAR, Thresholds()).clear


def test_too_soon_after_the_last_dose_blocks_without_override() -> None:
    verdict = check(replace(CLEAR, days_since_last_dose=1), Thresholds())
    assert verdict.blocking == (
        "the last dose was 1 day ago: this phase needs at least 2 days between doses",
    )
    assert check(replace(CLEAR, days_since_last_dose=None), Thresholds()).clear  # first dose


@pytest.mark.parametrize(("given", "clear"), [("175", True), ("175.01", False)])
def test_the_weeks_milligrams_need_a_prescriber_past_the_limit(given: str, clear: bool) -> None:
    verdict = check(replace(CLEAR, week_given_mg=Decimal(given)), Thresholds())
    assert verdict.clear is clear
    assert not verdict.blocking
    if not clear:
        assert "a week" in verdict.overridable[0]


@pytest.mark.parametrize(("age", "clear"), [(30, True), (31, False)])
def test_a_weight_older_than_the_protocol_allows(age: int, clear: bool) -> None:
    verdict = check(replace(CLEAR, weight_age_days=age), Thresholds())
    assert verdict.clear is clear
    if not clear:
        assert verdict.overridable == (
            "the weight is 31 days old (the protocol allows 30): weigh again",
        )


@pytest.mark.parametrize(
    ("pregnancy", "blocked"),
    [("unknown", True), ("not_applicable", False), ("not_pregnant", False), ("pregnant", False)],
)
def test_pregnancy_is_established_for_anyone_of_an_age_to_be_pregnant(
    pregnancy: str, blocked: bool
) -> None:
    facts = replace(CLEAR, pregnancy_relevant=True, pregnancy=pregnancy)
    verdict = check(facts, Thresholds())
    assert ("pregnancy status not established" in verdict.blocking) is blocked
    if pregnancy == "pregnant":
        assert verdict.overridable == ("the patient is pregnant",)


@pytest.mark.parametrize(("age", "asked"), [(11, False), (12, True), (55, True), (56, False)])
def test_pregnancy_is_asked_by_age_whatever_the_recorded_sex(age: int, asked: bool) -> None:
    assert pregnancy_relevant(age) is asked


def test_signs_of_intoxication_block_dosing() -> None:
    verdict = check(replace(CLEAR, intoxicated=True), Thresholds())
    assert verdict.blocking == ("signs of intoxication today: no dosing",)
