"""Outcome classification over constructed trajectories, by the published definitions:
baseline the last score before the first dose, response and remission only from a depressed
baseline, relapse confirmed on two consecutive scores at least 5 days apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.outcomes import (
    Point,
    classify,
    dose_responses,
    is_response,
    measurement_due,
    pct_change,
    severe_worsening,
    sustained_status,
    within_cutoff,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def series(*scores: tuple[float, int, str]) -> list[Point]:
    return [Point(day(d), total, context) for d, total, context in scores]


def test_responder() -> None:
    points = series((0, 20, "baseline"), (7, 14, "weekly"), (14, 10, "weekly"), (21, 8, "weekly"))
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "response"
    assert outcome.change == -12
    assert outcome.pct_change == -60.0
    assert outcome.first_response_at == day(14)
    assert outcome.days_to_first_response == 14
    assert outcome.response_lasted_days == 7


def test_remitter() -> None:
    points = series((0, 21, "baseline"), (7, 9, "weekly"), (14, 4, "weekly"))
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "remission"
    assert outcome.response
    assert outcome.remission


def test_relapser() -> None:
    points = series(
        (0, 21, "baseline"),
        (7, 8, "weekly"),
        (14, 9, "weekly"),
        (35, 15, "weekly"),
        (42, 16, "weekly"),
    )
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "relapse"
    assert outcome.relapse_at == day(35)  # the first of the two scores that confirm it
    assert outcome.first_response_at == day(7)
    assert outcome.response_lasted_days is None


def test_one_score_above_the_response_level_is_a_possible_relapse() -> None:
    # 20 -> 9 -> 11 was once "relapse" on one score.
    points = series((0, 20, "baseline"), (7, 9, "weekly"), (14, 11, "weekly"))
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "possible_relapse"
    assert outcome.relapse_at is None


def test_relapse_needs_its_two_scores_five_days_apart() -> None:
    close = series((0, 20, "baseline"), (7, 9, "weekly"), (14, 12, "weekly"), (18, 13, "ad_hoc"))
    assert classify(close, remission_at_most=4).status == "possible_relapse"
    apart = series((0, 20, "baseline"), (7, 9, "weekly"), (14, 12, "weekly"), (19, 13, "ad_hoc"))
    assert classify(apart, remission_at_most=4).status == "relapse"


def test_relapse_then_response_again() -> None:
    points = series(
        (0, 20, "baseline"),
        (7, 9, "weekly"),
        (14, 16, "weekly"),
        (21, 15, "weekly"),
        (28, 10, "weekly"),
    )
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "response"
    assert outcome.relapse_at is None
    assert outcome.response_lasted_days == 0


def test_a_baseline_in_remission_is_neither_response_nor_remission() -> None:
    # A baseline of 3 that stays 3 was once "remission".
    points = series((0, 3, "baseline"), (7, 3, "weekly"))
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "baseline_below_cutoff"
    assert not outcome.remission
    assert not outcome.response
    at_cutoff = classify(series((0, 4, "baseline"), (7, 1, "weekly")), remission_at_most=4)
    assert at_cutoff.status == "baseline_below_cutoff"
    above = classify(series((0, 5, "baseline"), (7, 1, "weekly")), remission_at_most=4)
    assert above.status == "remission"


def test_the_cutoff_is_inclusive_and_absent_means_no_remission() -> None:
    assert within_cutoff(4, 4)
    assert not within_cutoff(5, 4)
    assert not within_cutoff(0, None)


def test_remission_outranks_response_and_relapse() -> None:
    both = {"response": True, "relapsed": False, "ever_responded": True}
    assert sustained_status(remission=True, **both) == "remission"
    assert sustained_status(remission=False, **both) == "response"
    lost = {"response": False, "relapsed": True, "ever_responded": True}
    assert sustained_status(remission=True, **lost) == "remission"
    assert sustained_status(remission=False, **lost) == "relapse"
    once = {"response": False, "relapsed": False, "ever_responded": True}
    assert sustained_status(remission=False, **once) == "possible_relapse"
    never = {"response": False, "relapsed": False, "ever_responded": False}
    assert sustained_status(remission=False, **never) == "no_response"


def test_non_responder() -> None:
    points = series((0, 20, "baseline"), (7, 18, "weekly"), (14, 11, "weekly"))
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "no_response"
    assert outcome.pct_change == -45.0
    assert outcome.first_response_at is None


def test_exactly_fifty_percent_is_a_response() -> None:
    assert is_response(20, 10)
    assert not is_response(20, 11)
    assert is_response(21, 10)  # 52%
    assert not is_response(0, 0)
    assert pct_change(0, 5) is None


def test_no_data_and_no_baseline() -> None:
    assert classify([], remission_at_most=4).status == "no_data"
    points = series((0, 20, "weekly"), (7, 10, "weekly"))
    assert classify(points, remission_at_most=4).status == "no_baseline"


def test_baseline_is_the_last_score_before_the_first_treatment() -> None:
    points = series((0, 24, "ad_hoc"), (3, 20, "ad_hoc"), (10, 10, "weekly"))
    outcome = classify(points, remission_at_most=4, first_treatment_at=day(4))
    assert outcome.baseline is not None
    assert outcome.baseline.total == 20
    assert outcome.status == "response"
    assert outcome.days_to_first_response == 6


def test_the_last_score_before_the_first_dose_beats_a_marked_baseline() -> None:
    points = series((0, 24, "baseline"), (3, 20, "ad_hoc"), (10, 12, "weekly"))
    outcome = classify(points, remission_at_most=4, first_treatment_at=day(4))
    assert outcome.baseline is not None
    assert outcome.baseline.total == 20


def test_a_baseline_marked_after_treatment_began_is_not_the_baseline() -> None:
    points = series((0, 22, "pre_dose"), (10, 9, "baseline"), (17, 10, "weekly"))
    outcome = classify(points, remission_at_most=4, first_treatment_at=day(0))
    assert outcome.baseline is not None
    assert outcome.baseline.total == 22  # the pre-dose score at the first dose
    assert outcome.status == "response"


def test_before_any_treatment_the_marked_baseline_stands() -> None:
    points = series((0, 24, "baseline"), (3, 20, "ad_hoc"))
    outcome = classify(points, remission_at_most=4)
    assert outcome.baseline is not None
    assert outcome.baseline.total == 24


def test_acute_scores_do_not_decide_sustained_status() -> None:
    points = series(
        (0, 20, "baseline"), (1, 20, "pre_dose"), (1.17, 6, "4h"), (2, 9, "24h"), (8, 18, "weekly")
    )
    outcome = classify(points, remission_at_most=4)
    assert outcome.status == "possible_relapse"  # responded at 24h, lost it by the weekly
    acute = {d.context: d for d in outcome.dose_responses}
    assert acute["4h"].pct_change == -70.0
    assert acute["4h"].response
    assert acute["24h"].pct_change == -55.0
    assert acute["24h"].response


def test_dose_response_needs_a_pre_dose_score_of_the_same_dose() -> None:
    points = series((0, 20, "pre_dose"), (3, 8, "24h"))
    assert dose_responses(points) == []


def test_severe_worsening() -> None:
    assert severe_worsening(14, 20, 5, 20)
    assert not severe_worsening(16, 20, 5, 20)  # rise of 4
    assert not severe_worsening(10, 19, 5, 20)  # not in the top band
    assert not severe_worsening(10, 25, None, 20)


def test_measurement_due() -> None:
    week = timedelta(days=7)
    assert measurement_due(None, T0, week)
    assert not measurement_due(day(-6.9), T0, week)
    assert measurement_due(day(-7), T0, week)


@given(
    st.lists(st.tuples(st.integers(0, 27), st.sampled_from(["weekly", "24h", "4h"])), max_size=12),
    st.integers(1, 27),
)
def test_status_is_consistent_with_the_latest_score(rest: list[tuple[int, str]], base: int) -> None:
    points = [Point(day(0), base, "baseline")]
    points += [Point(day(i + 1), total, ctx) for i, (total, ctx) in enumerate(rest)]
    outcome = classify(points, remission_at_most=4)
    sustained = [p for p in points[1:] if p.context != "4h"]
    if base <= 4:
        assert outcome.status == "baseline_below_cutoff"
        assert not outcome.remission
        assert not outcome.response
        return
    if not sustained:
        assert outcome.status == "no_response"
        return
    latest = sustained[-1].total
    assert outcome.remission == (latest <= 4)
    assert outcome.response == (base - latest >= base / 2)
    if outcome.status in ("relapse", "possible_relapse"):
        assert not outcome.response
        assert outcome.first_response_at is not None
    if outcome.status == "relapse":  # two non-responding scores, 5 days apart or more
        assert outcome.relapse_at is not None
        after = [p for p in sustained if p.at >= outcome.relapse_at]
        assert not is_response(base, after[0].total)
