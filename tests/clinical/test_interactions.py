"""Interactions: the chart's medicines matched to the classes by name, each class cited and
with what to do; a name the table does not know matches nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ketamine_clinic.clinical.eligibility import Facts, Trial, evaluate
from ketamine_clinic.clinical.interactions import CLASSES, DRUGS, match

pytestmark = pytest.mark.pure

BASE = Facts(
    product="iv_racemic",
    indication="off_label",
    diagnosis="mdd",
    age_years=42,
    episode_months=18,
    episode_severity="severe",
    trials=(
        Trial("antidepressant", "sertraline", True, 8, "no_response"),
        Trial("antidepressant", "venlafaxine", True, 8, "no_response"),
    ),
    systolic_mmhg=120,
    diastolic_mmhg=80,
)


@pytest.mark.parametrize(
    ("medicine", "code"),
    [
        ("Lorazepam 1 mg at night", "benzodiazepine"),
        ("LAMOTRIGINE 200mg", "lamotrigine"),
        ("naltrexone", "naltrexone"),
        ("Memantine", "memantine"),
        ("phenelzine 15 mg tds", "maoi"),
        ("Adderall XR 20 mg", "stimulant"),
        ("theophylline SR", "theophylline"),
        ("Levothyroxine 75 mcg", "thyroid_hormone"),
        ("rifampicin", "cyp_inducer"),
        ("St John's Wort", "cyp_inducer"),
        ("clarithromycin 500 mg bd", "cyp_inhibitor"),
        ("zolpidem", "sedative_hypnotic"),
        ("oxycodone", "opioid"),
    ],
)
def test_a_chart_medicine_matches_its_class(medicine: str, code: str) -> None:
    assert match([medicine]) == {code: [medicine]}


@pytest.mark.parametrize("medicine", ["sertraline", "vitamin D", "clonazepamine", "memantinex"])
def test_other_names_match_nothing(medicine: str) -> None:
    assert match([medicine]) == {}


def test_every_class_has_names_a_source_and_what_to_do() -> None:
    assert set(DRUGS) == set(CLASSES)
    for known in CLASSES.values():
        assert known.source
        assert known.action
        assert known.effect


def test_the_evaluation_lists_each_interaction_with_the_chart_names() -> None:
    facts = replace(BASE, medications=("lorazepam 1 mg", "lamotrigine 100 mg", "sertraline"))
    result = evaluate(facts)
    found = {r.code: r for r in result.reasons}
    assert set(found) == {"interaction_benzodiazepine", "interaction_lamotrigine"}
    assert found["interaction_benzodiazepine"].message.startswith("Takes lorazepam 1 mg:")
    assert "Anand" in found["interaction_lamotrigine"].source
    assert result.decision == "eligible_with_precautions"


def test_a_ticked_class_still_counts_without_a_chart_name() -> None:
    result = evaluate(replace(BASE, medication_classes=frozenset({"maoi"})))
    (reason,) = result.reasons
    assert reason.message.startswith("Takes MAO inhibitors: higher blood pressure")
