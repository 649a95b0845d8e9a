"""Eligibility rules, each at its boundary; overrides; clinic severities; Maudsley staging."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.eligibility import (
    Facts,
    OverrideRefused,
    Settings,
    Trial,
    evaluate,
    library_floors,
    maudsley,
)


def failed(
    name: str, weeks: float | None = 8, adequate: bool | None = True, outcome: str = "no_response"
) -> Trial:
    return Trial("antidepressant", name, adequate, weeks, outcome)


TWO_FAILED = (failed("sertraline"), failed("venlafaxine"))
BASE = Facts(
    product="iv_racemic",
    indication="off_label",
    diagnosis="mdd",
    age_years=42,
    episode_months=18,
    episode_severity="severe",
    trials=TWO_FAILED,
    systolic_mmhg=120,
    diastolic_mmhg=80,
)
ESK = replace(BASE, product="esketamine_nasal", indication="trd")


def codes(facts: Facts, **kwargs: object) -> dict[str, str]:
    return {r.code: r.severity for r in evaluate(facts, **kwargs).reasons}  # type: ignore[arg-type]


def test_a_clean_evaluation_is_eligible() -> None:
    result = evaluate(BASE)
    assert result.decision == "eligible"
    assert result.reasons == ()
    assert result.trd.met
    assert result.trd.adequate_failures == 2


@pytest.mark.parametrize("facts", [BASE, ESK])
def test_one_adequate_failure_is_not_enough_two_are(facts: Facts) -> None:
    one = replace(facts, trials=(failed("sertraline"),))
    assert codes(one) == {"trd_not_met": "relative"}
    assert evaluate(one).decision == "not_eligible"
    assert evaluate(facts).decision == "eligible"


@pytest.mark.parametrize(
    ("trial", "counts"),
    [
        (failed("x", weeks=6), True),
        (failed("x", weeks=5.9), False),
        (failed("x", adequate=False), False),
        (failed("x", outcome="partial"), True),
        (failed("x", outcome="intolerance"), False),
        (failed("x", outcome="response"), False),
        (failed("x", weeks=None), False),  # unknown duration: cannot be shown adequate
        (failed("Sertraline "), False),  # the same drug again counts once
        (Trial("augmentation", "aripiprazole", True, 8, "no_response"), False),
        (Trial("antidepressant", "x", True, 8, "no_response", in_current_episode=False), False),
    ],
)
def test_what_counts_as_an_adequate_failure(trial: Trial, counts: bool) -> None:
    result = evaluate(replace(BASE, trials=(failed("sertraline"), trial)))
    assert result.trd.adequate_failures == (2 if counts else 1)


def test_unknown_adequacy_is_said_and_not_counted() -> None:
    result = evaluate(
        replace(BASE, trials=(failed("sertraline"), failed("mystery", adequate=None)))
    )
    assert result.trd.unknown_adequacy == ("mystery",)
    assert {r.code for r in result.reasons} == {"trial_adequacy_unknown", "trd_not_met"}


def test_what_was_not_counted_is_said_and_why() -> None:
    trials = (
        failed("sertraline"),
        failed("sertraline", weeks=12),
        failed("fluoxetine", weeks=None),
        failed("paroxetine", outcome="intolerance"),
        failed("citalopram", weeks=3),
    )
    result = evaluate(replace(BASE, trials=trials))
    assert result.trd.adequate_failures == 1
    assert dict(result.trd.not_counted) == {
        "sertraline": "the same drug again: one antidepressant, counted once",
        "fluoxetine": "duration not recorded",
        "paroxetine": "stopped for intolerance, not a failed adequate trial",
        "citalopram": "3 weeks, under 6",
    }
    # Maudsley counts antidepressants, not attempts: sertraline twice is one (Fekadu 2009).
    assert result.trd.maudsley.failures == 3


def test_ema_four_week_setting() -> None:
    four = replace(BASE, trials=(failed("a", weeks=4), failed("b", weeks=4)))
    assert not evaluate(four).trd.met
    assert evaluate(four, settings=Settings(adequate_trial_weeks=4)).trd.met


def test_mdsi_does_not_need_treatment_resistance() -> None:
    mdsi = replace(ESK, indication="mdsi", diagnosis="mdd_with_si", trials=())
    assert evaluate(mdsi).decision == "eligible"
    assert codes(replace(mdsi, diagnosis="mdd")) == {"mdsi_without_si": "relative"}


@pytest.mark.parametrize(
    ("change", "code", "severity_racemic", "severity_esketamine"),
    [
        (
            {"aneurysmal_vascular_disease": True},
            "aneurysmal_vascular_disease",
            "absolute",
            "absolute",
        ),
        (
            {"arteriovenous_malformation": True},
            "arteriovenous_malformation",
            "absolute",
            "absolute",
        ),
        ({"intracerebral_haemorrhage": True}, "intracerebral_haemorrhage", "absolute", "absolute"),
        ({"hypersensitivity": True}, "hypersensitivity", "absolute", "absolute"),
        ({"psychosis_history": True}, "psychosis_history", "relative", "precaution"),
        ({"substance_use": "active"}, "substance_use_active", "relative", "relative"),
        ({"substance_use": "history"}, "substance_use_history", "precaution", "precaution"),
        ({"urine_tox_positive": True}, "urine_tox_positive", "relative", "relative"),
        ({"pregnant": True}, "pregnancy", "relative", "relative"),
        ({"breastfeeding": True}, "breastfeeding", "precaution", "precaution"),
        ({"hepatic_impairment": "moderate"}, "hepatic_moderate", "precaution", "precaution"),
        ({"hepatic_impairment": "severe"}, "hepatic_severe", "relative", "relative"),
        (
            {"raised_intracranial_pressure": True},
            "raised_intracranial_pressure",
            "relative",
            "relative",
        ),
        (
            {"unstable_cardiorespiratory": True},
            "unstable_cardiorespiratory",
            "relative",
            "precaution",
        ),
        (
            {"cardiovascular_event_weeks_ago": 5},
            "recent_cardiovascular_event",
            "relative",
            "relative",
        ),
        ({"diagnosis": "bipolar_depression"}, "bipolar_depression", "relative", "relative"),
        ({"age_years": 17}, "age_under_18", "relative", "relative"),
        (
            {"medication_classes": frozenset({"benzodiazepine"})},
            "interaction_benzodiazepine",
            "precaution",
            "precaution",
        ),
        (
            {"medication_classes": frozenset({"maoi"})},
            "interaction_maoi",
            "precaution",
            "precaution",
        ),
    ],
)
def test_each_contraindication_alone(
    change: dict[str, object], code: str, severity_racemic: str, severity_esketamine: str
) -> None:
    assert codes(replace(BASE, **change)) == {code: severity_racemic}  # type: ignore[arg-type]
    assert codes(replace(ESK, **change)) == {code: severity_esketamine}  # type: ignore[arg-type]
    expected = {
        "absolute": "not_eligible",
        "relative": "not_eligible",
        "precaution": "eligible_with_precautions",
    }
    assert evaluate(replace(BASE, **change)).decision == expected[severity_racemic]  # type: ignore[arg-type]


def test_nothing_at_the_boundaries_of_the_normal_range() -> None:
    assert codes(replace(BASE, age_years=18)) == {}
    assert codes(replace(BASE, cardiovascular_event_weeks_ago=6)) == {}
    assert codes(replace(BASE, hepatic_impairment="mild")) == {}


def test_recent_mi_is_absolute_for_esketamine_in_the_eu_only() -> None:
    recent = {"cardiovascular_event_weeks_ago": 2}
    assert codes(replace(ESK, label_region="EU", **recent)) == {
        "recent_cardiovascular_event": "absolute"
    }  # type: ignore[arg-type]
    assert codes(replace(ESK, label_region="US", **recent)) == {
        "recent_cardiovascular_event": "relative"
    }  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bp", "code"),
    [
        ((140, 90), None),
        ((141, 90), "blood_pressure_raised"),
        ((140, 91), "blood_pressure_raised"),
        ((150, 95), "blood_pressure_raised"),
        ((180, 110), "blood_pressure_raised"),
        ((181, 100), "blood_pressure_uncontrolled"),
        ((170, 111), "blood_pressure_uncontrolled"),
        ((None, None), "baseline_bp_missing"),
    ],
)
def test_blood_pressure_thresholds(bp: tuple[int | None, int | None], code: str | None) -> None:
    found = codes(replace(BASE, systolic_mmhg=bp[0], diastolic_mmhg=bp[1]))
    assert list(found) == ([code] if code else [])


def test_journey_one_blood_pressure_precaution_with_source() -> None:
    result = evaluate(replace(BASE, systolic_mmhg=150, diastolic_mmhg=95))
    assert result.decision == "eligible_with_precautions"
    (reason,) = result.reasons
    assert "150/95" in reason.message
    assert reason.source.startswith("Sanacora et al.")  # IV ketamine: the APA consensus


def test_clinic_thresholds_can_be_tightened_or_relaxed() -> None:
    strict = Settings(bp_precaution_mmhg=(130, 85), min_failed_trials=3)
    found = codes(replace(BASE, systolic_mmhg=135, diastolic_mmhg=80), settings=strict)
    assert found == {"blood_pressure_raised": "precaution", "trd_not_met": "relative"}


def test_clinic_severities_but_never_relaxing_an_absolute() -> None:
    tighter = Settings(severity_overrides={"psychosis_history": "relative"})
    assert codes(replace(ESK, psychosis_history=True), settings=tighter) == {
        "psychosis_history": "relative"
    }
    with pytest.raises(ValueError, match="would relax the library's absolute"):
        Settings(severity_overrides={"aneurysmal_vascular_disease": "precaution"})


# A clinic could once turn pregnancy, age under 18 and active substance use into "info".
@pytest.mark.parametrize(
    ("code", "wanted"),
    [
        ("pregnancy", "info"),
        ("age_under_18", "info"),
        ("substance_use_active", "info"),
        ("substance_use_active", "precaution"),
        ("current_psychosis", "relative"),
        ("trd_not_met", "precaution"),
    ],
)
def test_a_clinic_never_relaxes_a_rule_below_the_library(code: str, wanted: str) -> None:
    with pytest.raises(ValueError, match="may only tighten"):
        Settings(severity_overrides={code: wanted})


def test_a_relaxation_found_in_old_settings_is_ignored() -> None:
    # Esketamine's psychosis history is a precaution, racemic's relative: a clinic setting of
    # "precaution" passes the floor (the lowest over products) yet never lowers racemic's.
    lenient = Settings(severity_overrides={"psychosis_history": "precaution"})
    assert codes(replace(BASE, psychosis_history=True), settings=lenient) == {
        "psychosis_history": "relative"
    }


@pytest.mark.parametrize(
    "change",
    [
        {"min_failed_trials": 1},
        {"adequate_trial_weeks": 3.5},
        {"bp_relative_mmhg": (190, 110)},
        {"bp_precaution_mmhg": (140, 95)},
        {"recent_cardiovascular_event_weeks": 4},
        {"severity_overrides": {"no_such_rule": "absolute"}},
    ],
)
def test_thresholds_are_never_relaxed_below_the_library(change: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must be|no such rule"):
        Settings(**change)  # type: ignore[arg-type]


def test_the_library_floors_cover_every_rule() -> None:
    floors = library_floors()
    assert floors["aneurysmal_vascular_disease"] == "absolute"
    assert floors["psychosis_history"] == "precaution"  # esketamine's
    assert floors["pregnancy"] == "relative"
    assert floors["baseline_bp_missing"] == "info"
    assert len(floors) >= 30


def test_a_relative_contraindication_can_be_overridden_with_a_reason() -> None:
    facts = replace(BASE, psychosis_history=True)
    result = evaluate(
        facts, overrides={"psychosis_history": "Single drug-induced episode in 2009; stable since"}
    )
    assert result.decision == "eligible_with_precautions"
    assert result.reasons[0].overridden_by_reason is not None


@pytest.mark.parametrize(
    ("facts", "code", "why", "message"),
    [
        (
            replace(BASE, aneurysmal_vascular_disease=True),
            "aneurysmal_vascular_disease",
            "a long enough reason",
            "cannot be overridden",
        ),
        (
            replace(BASE, breastfeeding=True),
            "breastfeeding",
            "a long enough reason",
            "only relative",
        ),
        (BASE, "pregnancy", "a long enough reason", "no such reason"),
        (replace(BASE, pregnant=True), "pregnancy", "short", "at least 10 characters"),
    ],
)
def test_overrides_that_are_refused(facts: Facts, code: str, why: str, message: str) -> None:
    with pytest.raises(OverrideRefused, match=message):
        evaluate(facts, overrides={code: why})


def test_absolute_keeps_not_eligible_even_with_relatives_overridden() -> None:
    facts = replace(BASE, pregnant=True, hypersensitivity=True)
    result = evaluate(facts, overrides={"pregnancy": "discussed with obstetrics at length"})
    assert result.decision == "not_eligible"


@pytest.mark.parametrize(("months", "points"), [(1, 1), (12, 1), (13, 2), (24, 2), (25, 3)])
def test_maudsley_duration(months: int, points: int) -> None:
    assert maudsley(replace(BASE, episode_months=months)).duration_points == points


@pytest.mark.parametrize(
    ("failures", "points"),
    [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5)],
)
def test_maudsley_failures(failures: int, points: int) -> None:
    trials = tuple(failed(f"drug{n}") for n in range(failures))
    assert maudsley(replace(BASE, trials=trials)).failure_points == points


def test_maudsley_total_and_bands() -> None:
    mild = replace(BASE, episode_months=6, episode_severity="mild", trials=(failed("a"),))
    assert (maudsley(mild).total, maudsley(mild).band) == (4, "mild")
    ect = Trial("ect", "ECT", True, None, "partial")
    aug = Trial("augmentation", "lithium", True, 8, "no_response")
    severe = replace(
        BASE,
        episode_months=30,
        episode_severity="severe_psychotic",
        trials=(*tuple(failed(f"d{n}") for n in range(11)), ect, aug),
    )
    assert (maudsley(severe).total, maudsley(severe).band) == (15, "severe")
    edge = replace(
        BASE,
        episode_months=13,
        episode_severity="moderate",
        trials=(failed("a"), failed("b"), failed("c")),
    )
    assert (maudsley(edge).total, maudsley(edge).band) == (7, "moderate")


@given(
    st.integers(0, 240),
    st.sampled_from(["subsyndromal", "mild", "moderate", "severe", "severe_psychotic"]),
    st.integers(0, 15),
    st.booleans(),
    st.booleans(),
)
def test_maudsley_stays_in_range(
    months: int, severity: str, failures: int, aug: bool, ect: bool
) -> None:
    trials = [failed(f"d{n}") for n in range(failures)]
    if aug:
        trials.append(Trial("augmentation", "a", True, 8, "no_response"))
    if ect:
        trials.append(Trial("ect", "e", True, None, "partial"))
    score = maudsley(
        replace(BASE, episode_months=months, episode_severity=severity, trials=tuple(trials))
    )  # type: ignore[arg-type]
    assert 2 <= score.total <= 15
    if failures:
        assert score.total >= 3


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="min_failed_trials"):
        Settings(min_failed_trials=0)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"current_psychosis": True}, "current_psychosis"),
        ({"episode_severity": "severe_psychotic"}, "current_psychosis"),
        ({"current_mania": True}, "current_mania"),
        ({"ketamine_misuse": True}, "ketamine_misuse"),
    ],
)
@pytest.mark.parametrize("facts", [BASE, ESK])
def test_the_current_state_is_absolute_and_cited(
    facts: Facts, change: dict[str, object], code: str
) -> None:
    result = evaluate(replace(facts, **change))  # type: ignore[arg-type]
    assert result.decision == "not_eligible"
    (reason,) = [r for r in result.reasons if r.code == code]
    assert reason.severity == "absolute"
    assert reason.source
    with pytest.raises(OverrideRefused):
        evaluate(replace(facts, **change), overrides={code: "the patient insists on it"})  # type: ignore[arg-type]


# Reasons whose very subject is esketamine's label: its indications.
ESKETAMINE_LABEL_ITSELF = {"mdsi_without_si", "esketamine_off_label"}


@pytest.mark.parametrize("product", ["iv_racemic", "im_racemic"])
def test_racemic_ketamine_is_never_judged_on_the_esketamine_label(product: str) -> None:
    """Each reason cites the source for the product evaluated: a raised blood pressure before
    IV ketamine cites the APA consensus, not Spravato's label."""
    from ketamine_clinic.clinical.eligibility.decide import RULES, _everything_wrong

    for facts in _everything_wrong(product, "US"):  # type: ignore[arg-type]
        for rule in RULES:
            for reason in rule(facts, Settings()):
                if reason.code in ESKETAMINE_LABEL_ITSELF or reason.code.startswith("interaction_"):
                    continue
                assert "Spravato" not in reason.source, (product, reason.code, reason.source)


def test_raised_blood_pressure_cites_each_products_source() -> None:
    racemic = evaluate(replace(BASE, systolic_mmhg=150, diastolic_mmhg=95))
    esketamine = evaluate(replace(ESK, systolic_mmhg=150, diastolic_mmhg=95))
    [r] = [r for r in racemic.reasons if r.code == "blood_pressure_raised"]
    [e] = [r for r in esketamine.reasons if r.code == "blood_pressure_raised"]
    assert r.source.startswith("Sanacora et al.")
    assert e.source.startswith("Spravato")


def test_what_was_checked_names_every_rule_with_the_products_sources() -> None:
    from ketamine_clinic.clinical.eligibility.decide import CHECKS, RULES, checked

    for product in ("iv_racemic", "im_racemic", "esketamine_nasal"):
        found = checked(product)  # type: ignore[arg-type]
        assert [c.what for c in found] == [CHECKS[rule] for rule in RULES]
        assert all(c.sources for c in found), product
    bp = {c.what: c.sources for c in checked("iv_racemic")}["baseline blood pressure"]
    assert all("Spravato" not in s for s in bp)
    esk_bp = {c.what: c.sources for c in checked("esketamine_nasal")}["baseline blood pressure"]
    assert any("Spravato" in s for s in esk_bp)
