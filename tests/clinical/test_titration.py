"""Titration suggestions at their boundaries, and invariants over any course."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.clinical.titration import CourseFacts, OutcomeFacts, suggest

IV = LIBRARY["iv-racemic-standard"]
IM = LIBRARY["im-racemic"]
ESK = LIBRARY["esketamine-trd-us"]
MDSI = LIBRARY["esketamine-mdsi"]

NO_RESPONSE = OutcomeFacts("PHQ-9", "no_response", 20, 15, remission_held=False)
RESPONSE = OutcomeFacts("PHQ-9", "response", 20, 9, remission_held=False)
REMISSION = OutcomeFacts("PHQ-9", "remission", 20, 3, remission_held=True)
RELAPSE = OutcomeFacts(
    "PHQ-9", "relapse", 20, 16, remission_held=False, relapse_on=date(2026, 3, 2)
)


def iv(**change: Any) -> CourseFacts:
    facts = CourseFacts(
        protocol=IV,
        phase="induction",
        days_since_start=10,
        doses_given=4,
        order_id="o1",
        doses_at_current=4,
        current_mg_per_kg=Decimal("0.5"),
        outcome=NO_RESPONSE,
    )
    return replace(facts, **change)


def esk(**change: Any) -> CourseFacts:
    facts = CourseFacts(
        protocol=ESK,
        phase="induction weeks 1-4",
        days_since_start=14,
        doses_given=4,
        order_id="o1",
        doses_at_current=4,
        current_mg=56,
        outcome=NO_RESPONSE,
    )
    return replace(facts, **change)


def rules(facts: CourseFacts) -> list[str]:
    return [s.rule for s in suggest(facts)]


def test_no_response_after_four_infusions_at_half_suggests_three_quarters() -> None:
    (suggestion,) = suggest(iv())
    assert suggestion.rule == "no-response-escalate"
    assert suggestion.kind == "dose"
    assert suggestion.proposed_mg_per_kg == Decimal("0.75")
    assert suggestion.situation == "order:o1"
    assert "Andrade" in suggestion.source
    assert "PHQ-9 20 at baseline, 15 now" in suggestion.detail
    assert "Decision support" in suggestion.estimate


def test_three_infusions_are_too_early() -> None:
    assert suggest(iv(doses_at_current=3)) == []
    # Four doses in the course but only two since the dose last changed: too early again.
    assert suggest(iv(doses_given=4, doses_at_current=2)) == []


@pytest.mark.parametrize("outcome", [RESPONSE, REMISSION, None])
def test_no_escalation_when_responding_or_unmeasured(outcome: OutcomeFacts | None) -> None:
    assert "no-response-escalate" not in rules(iv(outcome=outcome))


def test_no_baseline_means_no_dose_suggestion() -> None:
    unmeasured = OutcomeFacts("PHQ-9", "no_baseline", None, 14, remission_held=False)
    assert suggest(iv(outcome=unmeasured)) == []


def test_escalation_stops_at_the_protocol_maximum() -> None:
    assert suggest(iv(current_mg_per_kg=Decimal("0.9")))[0].proposed_mg_per_kg == Decimal("1.0")
    (at_max,) = suggest(iv(current_mg_per_kg=Decimal("1.0")))
    assert at_max.rule == "no-response-at-maximum"
    assert at_max.kind == "review"
    assert at_max.proposed_mg_per_kg is None
    (im,) = suggest(iv(protocol=IM, current_mg_per_kg=Decimal("0.25")))
    assert im.proposed_mg_per_kg == Decimal("0.50")


def test_nothing_before_a_signed_order() -> None:
    assert suggest(iv(order_id=None)) == []


def test_poor_tolerability_comes_first_and_blocks_escalation() -> None:
    found = suggest(iv(poorly_tolerated="BP 182/104 at 30 min", current_mg_per_kg=Decimal("0.75")))
    assert [s.rule for s in found] == ["poorly-tolerated"]
    assert found[0].proposed_mg_per_kg == Decimal("0.50")
    floor = suggest(iv(poorly_tolerated="vomiting", current_mg_per_kg=Decimal("0.1")))
    assert floor[0].kind == "review"
    assert floor[0].proposed_mg_per_kg is None
    overridden = iv(protocol=IM, current_mg_per_kg=Decimal("0.9"), poorly_tolerated="nausea")
    assert suggest(overridden)[0].proposed_mg_per_kg == Decimal("0.5")  # back inside
    (down,) = [s for s in suggest(esk(current_mg=84, poorly_tolerated="dissociation")) if s.kind]
    assert down.proposed_mg == 56


def test_esketamine_56_without_response_suggests_84() -> None:
    (suggestion,) = suggest(esk())
    assert suggestion.rule == "esketamine-consider-84"
    assert suggestion.proposed_mg == 84
    assert "label" in suggestion.source
    assert suggest(esk(current_mg=84)) == []
    assert suggest(esk(protocol=MDSI)) == []


@pytest.mark.parametrize(
    ("days", "doses", "due"),
    [(27, 7, False), (28, 7, True), (20, 8, True), (20, 7, False)],
)
def test_esketamine_end_of_induction_review(days: int, doses: int, due: bool) -> None:
    found = rules(esk(days_since_start=days, doses_given=doses, outcome=RESPONSE))
    assert ("esketamine-induction-review" in found) == due


@pytest.mark.parametrize(("day", "due"), [(55, False), (56, True)])
def test_esketamine_reduce_frequency_from_week_9_while_remission_holds(day: int, due: bool) -> None:
    facts = esk(phase="weeks 5-8", days_since_start=day, doses_given=12, outcome=REMISSION)
    found = [s for s in suggest(facts) if s.rule == "remission-reduce-frequency"]
    assert bool(found) == due
    if due:
        assert "every 2 weeks" in found[0].detail
        assert "least frequent" in found[0].source


def test_remission_must_hold_on_two_scores() -> None:
    once = replace(REMISSION, remission_held=False)
    facts = esk(phase="weeks 5-8", days_since_start=70, doses_given=12, outcome=once)
    assert "remission-reduce-frequency" not in rules(facts)


def test_iv_maintenance_steps_to_the_next_phase() -> None:
    (weekly,) = suggest(iv(phase="maintenance weekly", outcome=REMISSION))
    assert "to maintenance every 2 weeks" in weekly.detail
    assert suggest(iv(phase="maintenance as needed", outcome=REMISSION)) == []
    assert suggest(iv(phase="induction", outcome=REMISSION)) == []


def test_response_lost_withdraws_frequency_reductions() -> None:
    found = suggest(esk(phase="weeks 5-8", days_since_start=70, doses_given=12, outcome=RELAPSE))
    assert [s.rule for s in found] == ["response-lost", "esketamine-induction-review"]
    assert found[0].situation == "relapse:2026-03-02"
    assert "withdrawn" in found[0].detail
    assert rules(iv(phase="maintenance weekly", outcome=RELAPSE)) == ["response-lost"]


OUTCOMES = st.sampled_from([NO_RESPONSE, RESPONSE, REMISSION, RELAPSE, None])


@given(
    protocol=st.sampled_from([IV, IM]),
    per_kg=st.decimals("0.1", "1.0", places=2),
    doses=st.integers(0, 20),
    outcome=OUTCOMES,
    phase=st.sampled_from([p.name for p in IV.phases]),
    tolerated=st.sampled_from([None, "nausea"]),
)
def test_weight_based_proposals_stay_inside_the_protocol(
    protocol: Any,
    per_kg: Decimal,
    doses: int,
    outcome: OutcomeFacts | None,
    phase: str,
    tolerated: str | None,
) -> None:
    facts = iv(
        protocol=protocol,
        current_mg_per_kg=per_kg,
        doses_given=doses,
        doses_at_current=doses,
        outcome=outcome,
        phase=phase,
        poorly_tolerated=tolerated,
    )
    found = suggest(facts)
    for suggestion in found:
        assert suggestion.source
        if suggestion.proposed_mg_per_kg is not None:
            assert protocol.min_mg_per_kg <= suggestion.proposed_mg_per_kg <= protocol.max_mg_per_kg
            assert suggestion.proposed_mg_per_kg != per_kg
    if outcome is RELAPSE or outcome is None:
        assert all(s.kind != "frequency" for s in found)
    if outcome is None or not outcome.remission_held:
        assert all(s.rule != "remission-reduce-frequency" for s in found)
    keys = [(s.rule, s.situation) for s in found]
    assert len(keys) == len(set(keys))


@given(mg=st.sampled_from([56, 84]), doses=st.integers(0, 30), days=st.integers(0, 200))
def test_esketamine_proposals_are_label_doses(mg: int, doses: int, days: int) -> None:
    for outcome in (NO_RESPONSE, RELAPSE, REMISSION):
        for tolerated in (None, "sedation"):
            facts = esk(
                current_mg=mg,
                doses_given=doses,
                doses_at_current=doses,
                days_since_start=days,
                outcome=outcome,
                poorly_tolerated=tolerated,
            )
            for suggestion in suggest(facts):
                assert suggestion.proposed_mg in (None, *ESK.doses_mg)
                assert suggestion.proposed_mg != mg


@pytest.mark.parametrize(
    ("doses", "outcome", "due"),
    [(6, RESPONSE, True), (6, REMISSION, True), (5, RESPONSE, False), (6, NO_RESPONSE, False)],
)
def test_iv_induction_done_with_a_response_suggests_maintenance(
    doses: int, outcome: OutcomeFacts, due: bool
) -> None:
    found = [
        s
        for s in suggest(iv(doses_given=doses, doses_at_current=doses, outcome=outcome))
        if s.rule == "induction-complete-maintenance"
    ]
    assert bool(found) == due
    if due:
        assert "maintenance weekly" in found[0].detail
        assert "Murrough" in found[0].source
    assert "induction-complete-maintenance" not in rules(
        iv(phase="maintenance weekly", doses_given=doses, outcome=outcome)
    )
    assert "induction-complete-maintenance" not in rules(esk(doses_given=8, outcome=outcome))
