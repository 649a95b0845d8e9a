"""The treatment session as a state machine: which step may follow which.

scheduled -> checked in -> pre-dose checks passed -> dosing -> monitoring -> ready for
discharge -> discharged; or aborted, with a reason, from any step before discharge. Nothing
skips a step and nothing goes back: a mistake is corrected by a new entry, not by rewinding
the session (issue #6; REMS requires the monitoring to follow the dose in that order).
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    CHECKS_PASSED = "checks_passed"
    DOSING = "dosing"
    MONITORING = "monitoring"
    READY = "ready_for_discharge"
    DISCHARGED = "discharged"
    ABORTED = "aborted"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    State.SCHEDULED: "Scheduled",
    State.CHECKED_IN: "Checked in",
    State.CHECKS_PASSED: "Pre-dose checks passed",
    State.DOSING: "Dosing",
    State.MONITORING: "Monitoring",
    State.READY: "Ready for discharge",
    State.DISCHARGED: "Discharged",
    State.ABORTED: "Aborted",
}

ORDER = (
    State.SCHEDULED,
    State.CHECKED_IN,
    State.CHECKS_PASSED,
    State.DOSING,
    State.MONITORING,
    State.READY,
    State.DISCHARGED,
)
TERMINAL = frozenset({State.DISCHARGED, State.ABORTED})
# Once a dose is in, the patient stays until monitored: aborting then ends the dosing, but the
# monitoring and discharge must still be recorded (an abort is for before the first dose).
ABORTABLE = frozenset({State.SCHEDULED, State.CHECKED_IN, State.CHECKS_PASSED})


class TransitionError(ValueError):
    """A step that may not follow the current one (HTTP 409)."""


def allowed(current: State) -> frozenset[State]:
    """The steps that may follow `current`."""
    if current in TERMINAL:
        return frozenset()
    following = {ORDER[ORDER.index(current) + 1]}
    if current in ABORTABLE:
        following.add(State.ABORTED)
    return frozenset(following)


def check(current: State | str, target: State | str) -> State:
    """The target state, or TransitionError saying why it cannot follow."""
    current, target = State(current), State(target)
    if target in allowed(current):
        return target
    if current in TERMINAL:
        raise TransitionError(f"the session is {current.label.lower()}: nothing follows")
    if target == State.ABORTED:
        raise TransitionError(
            "a session is aborted only before the first dose; once dosed, monitor and discharge"
        )
    expected = " or ".join(sorted(s.label.lower() for s in allowed(current)))
    raise TransitionError(
        f"the session is {current.label.lower()}; next is {expected}, not {target.label.lower()}"
    )
