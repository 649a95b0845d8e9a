"""The instrument catalogue: bands at every boundary, scoring properties, QIDS group maxima,
flags, and definition files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.instruments import (
    BUILTIN,
    AnswerError,
    DefinitionError,
    Instrument,
    definition_json_schema,
    parse_definition,
    score,
)
from ketamine_clinic.clinical.instruments.builtin import PHQ9


def answers_for_total(instrument: Instrument, total: int) -> dict[str, int]:
    """An answer set whose total is `total`: fill groups one at a time up to their maxima."""
    answers = {item.id: item.min for item in instrument.items}
    remaining = total - instrument.total_min
    for group in instrument.groups:
        first = instrument.item_index[group[0]]
        step = min(remaining, first.max - first.min)
        answers[first.id] = first.min + step
        remaining -= step
    assert remaining == 0
    return answers


BANDS = {
    "phq9": [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
             (14, "moderate"), (15, "moderately_severe"), (19, "moderately_severe"),
             (20, "severe"), (27, "severe")],
    "gad7": [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"),
             (14, "moderate"), (15, "severe"), (21, "severe")],
    "qids_sr16": [(0, "none"), (5, "none"), (6, "mild"), (10, "mild"), (11, "moderate"),
                  (15, "moderate"), (16, "severe"), (20, "severe"), (21, "very_severe"),
                  (27, "very_severe")],
    "madrs": [(0, "normal"), (6, "normal"), (7, "mild"), (19, "mild"), (20, "moderate"),
              (34, "moderate"), (35, "severe"), (60, "severe")],
    "moaas": [(0, "unresponsive"), (1, "deep"), (2, "deep"), (3, "moderate"), (4, "mild"),
              (5, "alert")],
    "suicide_risk": [(0, "low"), (1, "moderate"), (2, "high"), (3, "imminent")],
}  # fmt: skip
CASES = [(i, total, band) for i, rows in BANDS.items() for total, band in rows]


@pytest.mark.parametrize(("instrument_id", "total", "band"), CASES)
def test_band_at_every_boundary(instrument_id: str, total: int, band: str) -> None:
    instrument = BUILTIN[instrument_id]
    result = score(instrument, answers_for_total(instrument, total))
    assert result.total == total
    assert result.band is not None
    assert result.band.code == band


def test_ranges() -> None:
    expected = {"phq9": (0, 27), "gad7": (0, 21), "qids_sr16": (0, 27), "madrs": (0, 60),
                "cadss": (0, 92), "moaas": (0, 5), "bprs_positive": (4, 28),
                "suicide_risk": (0, 3)}  # fmt: skip
    assert {k: (v.total_min, v.total_max) for k, v in BUILTIN.items()} == expected


def test_qids_counts_the_worst_item_of_each_group() -> None:
    qids = BUILTIN["qids_sr16"]
    zero = {str(n): 0 for n in range(1, 17)}
    assert score(qids, {**zero, "1": 3, "2": 2, "3": 1, "4": 3}).total == 3
    assert score(qids, {**zero, "6": 1, "7": 2, "8": 3, "9": 0}).total == 3
    assert score(qids, {**zero, "15": 2, "16": 1}).total == 2
    assert score(qids, {**zero, "5": 3, "10": 3, "11": 3, "12": 3, "13": 3, "14": 3}).total == 18
    assert score(qids, {str(n): 3 for n in range(1, 17)}).total == 27


def test_cadss6_subscale() -> None:
    cadss = BUILTIN["cadss"]
    answers = {str(n): 0 for n in range(1, 24)}
    answers.update({"1": 4, "2": 3, "6": 2, "7": 1, "15": 1, "22": 1, "3": 4})
    result = score(cadss, answers)
    assert result.total == 16
    assert result.subscales == {"cadss6": 12}
    assert result.band is None


@pytest.mark.parametrize(
    ("instrument_id", "answers", "codes", "alert"),
    [
        ("phq9", {"9": 0}, [], False),
        ("phq9", {"9": 1}, ["phq9_item9"], True),
        ("qids_sr16", {"12": 1}, ["qids_item12"], True),
        ("madrs", {"10": 3}, [], False),
        ("madrs", {"10": 4}, ["madrs_item10"], True),
        ("moaas", {"response": 4}, [], False),
        ("moaas", {"response": 3}, ["moaas_sedated"], False),
        ("bprs_positive", {"suspiciousness": 4}, ["bprs_suspiciousness"], False),
        ("suicide_risk", {"risk_level": 1, "safety_plan_reviewed": 1}, [], False),
        ("suicide_risk", {"risk_level": 2, "safety_plan_reviewed": 1}, ["suicide_risk_high"], True),
        ("suicide_risk", {"safety_plan_reviewed": 0}, ["safety_plan_not_reviewed"], False),
        ("suicide_risk", {"intent": 1, "plan": 1, "safety_plan_reviewed": 1},
         ["suicide_intent", "suicide_plan"], True),
    ],
)  # fmt: skip
def test_flags(instrument_id: str, answers: dict[str, int], codes: list[str], alert: bool) -> None:
    instrument = BUILTIN[instrument_id]
    full = {item.id: (item.max if item.id == "response" else item.min) for item in instrument.items}
    if instrument_id == "suicide_risk":
        full["safety_plan_reviewed"] = 1
    full.update(answers)
    result = score(instrument, full)
    assert [f.code for f in result.flags] == codes
    assert bool(result.alerts) is alert


def valid_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries(
        {item.id: st.integers(item.min, item.max) for item in instrument.items}
    )


@given(data=st.data(), instrument_id=st.sampled_from(sorted(BUILTIN)))
def test_any_valid_answer_set_scores_inside_the_range(data: Any, instrument_id: str) -> None:
    instrument = BUILTIN[instrument_id]
    answers = data.draw(valid_answers(instrument))
    result = score(instrument, answers)
    assert instrument.total_min <= result.total <= instrument.total_max
    if instrument.bands:
        assert result.band is not None
        assert result.band.low <= result.total <= result.band.high


@given(data=st.data(), instrument_id=st.sampled_from(sorted(BUILTIN)))
def test_any_invalid_answer_set_is_rejected(data: Any, instrument_id: str) -> None:
    instrument = BUILTIN[instrument_id]
    answers: dict[str, Any] = dict(data.draw(valid_answers(instrument)))
    item = data.draw(st.sampled_from(instrument.items))
    how = data.draw(st.sampled_from(["missing", "low", "high", "type", "extra"]))
    if how == "missing":
        del answers[item.id]
    elif how == "low":
        answers[item.id] = data.draw(st.integers(max_value=item.min - 1))
    elif how == "high":
        answers[item.id] = data.draw(st.integers(min_value=item.max + 1))
    elif how == "type":
        answers[item.id] = data.draw(st.one_of(st.booleans(), st.floats(), st.text(), st.none()))
    else:
        answers["not-an-item"] = 0
    with pytest.raises(AnswerError) as problem:
        score(instrument, answers)
    named = "not-an-item" if how == "extra" else item.id
    assert named in problem.value.problems


def test_answer_errors_name_every_problem() -> None:
    with pytest.raises(AnswerError) as problem:
        score(BUILTIN["phq9"], {"1": 4, "2": "x", "10": 1})
    problems = problem.value.problems
    assert problems["1"] == "must be between 0 and 3"
    assert problems["2"] == "must be a whole number"
    assert problems["3"] == "is missing: every item must be answered"
    assert problems["10"] == "is not an item of PHQ-9"


def test_phq9_ships_item_text_and_loinc_codes() -> None:
    phq9 = BUILTIN["phq9"]
    assert phq9.items[8].text.startswith("Thoughts that you would be better off dead")
    assert phq9.items[8].loinc == "44260-8"
    assert (phq9.loinc_panel, phq9.loinc_total) == ("44249-1", "44261-6")
    assert (BUILTIN["gad7"].loinc_panel, BUILTIN["gad7"].loinc_total) == ("69737-5", "70274-6")
    assert BUILTIN["madrs"].items[0].text == "Apparent sadness"


# --- Definition files ------------------------------------------------------------------------

SCREENER = {
    "id": "clinic-screen",
    "version": "1",
    "name": "A licensed screener",
    "short_name": "Screen",
    "respondent": "clinician",
    "items": [
        {"id": "q1", "text": "Question one", "max": 1},
        {"id": "q2", "text": "Question two", "max": 1},
    ],
    "bands": [
        {"low": 0, "high": 0, "code": "negative", "label": "Negative"},
        {"low": 1, "high": 2, "code": "positive", "label": "Positive"},
    ],
    "flags": [{"code": "q2", "message": "Q2 yes", "item": "q2", "at_least": 1, "alert": True}],
}


def test_a_definition_file_loads_and_scores() -> None:
    instrument = parse_definition(json.loads(json.dumps(SCREENER)))
    assert not instrument.builtin
    result = score(instrument, {"q1": 0, "q2": 1})
    assert result.total == 1
    assert result.band is not None
    assert result.band.code == "positive"
    assert [f.code for f in result.alerts] == ["q2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Has Spaces"}, "id: String should match pattern"),
        ({"respondent": "robot"}, "respondent: Input should be 'patient' or 'clinician'"),
        ({"items": []}, "items: List should have at least 1 item"),
        ({"items": [{"id": "q1", "text": "x", "max": 1}, {"id": "q1", "text": "y", "max": 1}]},
         "item ids must be unique; repeated: q1"),
        ({"items": [{"id": "q1", "text": "x", "min": 3, "max": 1}]}, "min 3 is above max 1"),
        ({"bands": [{"low": 0, "high": 0, "code": "a", "label": "A"}]},
         "bands must cover the whole total range 0-2"),
        ({"bands": [{"low": 0, "high": 1, "code": "a", "label": "A"},
                    {"low": 1, "high": 2, "code": "b", "label": "B"}]},
         "bands must follow on without gap or overlap: a ends at 1, b starts at 1"),
        ({"flags": [{"code": "f", "message": "m", "item": "q9", "at_least": 1}]},
         "flag f reads unknown item q9"),
        ({"flags": [{"code": "f", "message": "m"}]}, "flag f needs at_least or at_most"),
        ({"scoring": {"groups": [["q1", "q2"], ["q2"]]}}, "item q2 is in two scoring groups"),
        ({"scoring": {"groups": [["q3"]]}}, "scoring group names unknown item q3"),
        ({"outcome_measure": True}, "an outcome measure needs remission_at_most"),
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_bad_definitions_are_refused_with_the_reason(change: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError) as problem:
        parse_definition({**SCREENER, **change})
    assert any(message in p for p in problem.value.problems), problem.value.problems


def test_missing_fields_are_all_listed() -> None:
    with pytest.raises(DefinitionError) as problem:
        parse_definition({"id": "x1"})
    text = "\n".join(problem.value.problems)
    for name in ("version", "name", "short_name", "respondent", "items"):
        assert f"{name}: Field required" in text


def test_builtin_definitions_satisfy_the_published_schema() -> None:
    schema = definition_json_schema()
    assert schema["title"] == "ketamine-clinic instrument definition"
    assert set(schema["required"]) >= {"id", "version", "name", "short_name", "respondent", "items"}
    # The built-ins go through the same parser as clinic files.
    assert parse_definition(PHQ9).short_name == "PHQ-9"


def test_published_schema_and_example_are_current() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    published = json.loads((docs / "instrument-definition.schema.json").read_text())
    assert published == json.loads(json.dumps(definition_json_schema())), (
        "regenerate docs/instrument-definition.schema.json (see docs/instruments.md)"
    )
    example = parse_definition(json.loads((docs / "examples" / "clinic-screener.json").read_text()))
    assert example.short_name == "Risk screen"
