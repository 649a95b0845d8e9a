"""The treatment session's state machine: legal steps, illegal ones, and any walk through it."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.session_flow import ORDER, State, TransitionError, allowed, check


def test_the_whole_way_through() -> None:
    for current, target in itertools.pairwise(ORDER):
        assert check(current, target) == target


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (State.SCHEDULED, State.DOSING, "next is aborted or checked in, not dosing"),
        (State.CHECKED_IN, State.MONITORING, "not monitoring"),
        (State.MONITORING, State.CHECKS_PASSED, "not pre-dose checks passed"),
        (State.DOSING, State.ABORTED, "aborted only before the first dose"),
        (State.MONITORING, State.ABORTED, "aborted only before the first dose"),
        (State.DISCHARGED, State.ABORTED, "nothing follows"),
        (State.ABORTED, State.CHECKED_IN, "nothing follows"),
        (State.READY, State.READY, "not ready for discharge"),
    ],
)
def test_illegal_steps_say_why(current: State, target: State, message: str) -> None:
    with pytest.raises(TransitionError, match=message):
        check(current, target)


@pytest.mark.parametrize("state", [State.SCHEDULED, State.CHECKED_IN, State.CHECKS_PASSED])
def test_abort_before_the_first_dose(state: State) -> None:
    assert check(state, State.ABORTED) == State.ABORTED


def test_unknown_states_are_refused() -> None:
    with pytest.raises(ValueError, match="teleported"):
        check("scheduled", "teleported")


@given(st.lists(st.sampled_from(list(State)), max_size=12))
def test_any_accepted_walk_follows_the_order(targets: list[State]) -> None:
    path = [State.SCHEDULED]
    for target in targets:
        try:
            path.append(check(path[-1], target))
        except TransitionError:
            assert target not in allowed(path[-1])
    if path[-1] == State.ABORTED:
        assert State.DOSING not in path
        path = path[:-1]
    assert path == list(ORDER[: len(path)])
