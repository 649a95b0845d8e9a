"""Safety of repeated dosing: the urinary question at every dosing session (Spravato US label
5.9), and what the chart makes of the answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ketamine_clinic.clinical.pre_dose import check
from ketamine_clinic.clinical.repeated_dosing import UrinaryAnswer, summarise, urinary_warnings
from ketamine_clinic.clinical.vital_signs import Thresholds
from tests.factories.clinical import CLEAR

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("answer", "says"),
    [("none", None), ("present", "can cause ulcerative or interstitial cystitis"),
     ("", "not asked today"), ("maybe", "not asked today")],
)  # fmt: skip
def test_the_chair_warns_on_symptoms_or_a_missing_answer(answer: str, says: str | None) -> None:
    warnings = urinary_warnings(answer)
    if says is None:
        assert warnings == []
    else:
        assert len(warnings) == 1
        assert says in warnings[0]
        assert "Spravato US label 5.9" in warnings[0]


def test_symptoms_warn_but_do_not_stop_the_dose() -> None:
    """The label says monitor and refer as clinically warranted: a warning, not a hold."""
    verdict = check(replace(CLEAR, urinary_symptoms="present"), Thresholds())
    assert verdict.clear
    assert any("cystitis" in w for w in verdict.warnings)


def test_the_chart_summary() -> None:
    answers = [
        UrinaryAnswer(date(2026, 12, 4), ""),
        UrinaryAnswer(date(2026, 12, 1), "present"),
        UrinaryAnswer(date(2026, 11, 27), "none"),
        UrinaryAnswer(date(2026, 11, 24), "present"),
    ]
    summary = summarise(4, answers)
    assert summary.applies
    assert summary.due
    assert summary.last_asked == answers[1]
    assert summary.reported_on == (date(2026, 12, 1), date(2026, 11, 24))
    asked = summarise(4, answers[1:])
    assert not asked.due
    assert not summarise(0, []).applies
    assert summarise(1, [UrinaryAnswer(date(2026, 12, 4), "")]).last_asked is None
