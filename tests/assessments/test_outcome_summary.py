"""The outcome summary the report reads: kept current by every write that changes a patient's
classification, rebuilt the same from the records, and giving the same report as classifying
every patient from their scores (the chart's path), for any cohort and any remission cut-off.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.assessments import actions, outcome_summary
from ketamine_clinic.assessments.models import Assessment, OutcomeSummary
from ketamine_clinic.clinical.outcome_stats import kaplan_meier, km_median, median_or_none
from ketamine_clinic.clinical.outcomes import Point, classify
from ketamine_clinic.interop import outcome_report
from ketamine_clinic.patients.access import get_patient_for_user
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment_sessions.models import TreatmentSession
from tests.conftest import World
from tests.factories.chair import Chair, ready_to_dose, start, vault
from tests.factories.outcomes import phq9

GROUPS = (
    ("iv-racemic-standard", "iv_racemic"),
    ("esketamine-trd-us", "esketamine_nasal"),
    ("im-racemic", "im_racemic"),
)
CONTEXTS = ("baseline", "pre_dose", "post_dose", "4h", "24h", "weekly", "ad_hoc")


def summary(patient: Patient, instrument: str = "phq9") -> OutcomeSummary:
    return OutcomeSummary.objects.get(patient=patient, instrument_id=instrument)


def test_each_score_and_each_mark_in_error_refreshes_the_patient(world: World) -> None:
    patient = world.patient
    assert not OutcomeSummary.objects.filter(patient=patient).exists()
    phq9(world, patient, 0, 20, "baseline")
    row = summary(patient)
    assert (row.baseline_total, row.measured) == (20, False)
    phq9(world, patient, 7, 8)
    row = summary(patient)
    assert (row.measured, row.response, row.days_responding) == (
        True, True, 0)  # fmt: skip
    wrong = Assessment.objects.get(patient=patient, total=8)
    access = get_patient_for_user(world.users["nurse"], patient.pk, Capability.RECORD_ASSESSMENT)
    actions.mark_in_error(Actor(user=world.users["nurse"]), access, wrong, wrong.version,
                          "entered against the wrong patient")  # fmt: skip
    row = summary(patient)
    assert (row.measured, row.response, row.latest_total) == (False, False, 20)


def test_marking_in_error_on_screen_and_by_api_refreshes(world: World) -> None:
    patient = world.patient
    phq9(world, patient, 0, 20, "baseline")
    phq9(world, patient, 7, 8)
    phq9(world, patient, 14, 6)
    by_api, on_screen = Assessment.objects.filter(patient=patient, total__lt=20).order_by("total")
    response = world.api("nurse").post(
        f"/patients/{patient.pk}/assessments/{by_api.pk}/entered-in-error",
        {"version": by_api.version, "reason": "typed into the wrong chart"},
    )
    assert response.status_code == 200
    row = summary(patient)
    assert row.latest_total == 8
    page = world.client("nurse").post(
        f"/patients/{patient.pk}/assessments/{on_screen.pk}/entered-in-error/",
        {"version": on_screen.version, "reason": "typed into the wrong chart"},
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    row = summary(patient)
    assert (row.latest_total, row.measured) == (20, False)


def test_the_first_dose_at_the_chair_moves_the_baseline(world: World, clock: Any) -> None:
    """Before any dose, the pre-dose PHQ-9 stands for the first treatment and is itself the
    last score before it: the baseline. Once the dose is given at the chair, the baseline is
    still the last score before the dose: the same pre-dose one."""
    phq9(world, world.patient, 50, 18)
    assert summary(world.patient).baseline_at is None
    chair = Chair(world, start(world))
    ready_to_dose(world, chair)  # records a pre-dose PHQ-9 of 14
    assert summary(world.patient).baseline_total == 14
    chair.post("checks/pass")
    chair.post("doses", action="device", container=vault(world)["esketamine"])
    assert summary(world.patient).baseline_total == 14


def test_the_command_rebuilds_what_a_bulk_load_left_out(world: World) -> None:
    phq9(world, world.patient, 0, 20, "baseline")
    phq9(world, world.patient, 7, 9)
    expected = summary(world.patient)
    OutcomeSummary.objects.all().delete()
    call_command("refresh_outcomes", "--clinic", world.clinic.name)
    rebuilt = summary(world.patient)
    fields = [f.attname for f in OutcomeSummary._meta.fields if f.name not in ("id", "computed_at")]
    assert [getattr(rebuilt, f) for f in fields] == [getattr(expected, f) for f in fields]


# ---- the report from the summary equals the report from classifying every patient ----

# Totals and cut-offs from small ranges, so that scores land on the cut-off and on half the
# baseline (the boundaries of remission and response) often.
scores = st.lists(
    st.tuples(st.integers(0, 120), st.integers(0, 12), st.sampled_from(CONTEXTS)),
    max_size=8,
)
patients = st.lists(
    st.fixed_dictionaries({
        "groups": st.sets(st.integers(0, len(GROUPS) - 1), min_size=1, max_size=2),
        "phq9": scores,
        "gad7_pre_dose_day": st.none() | st.integers(0, 120),
        "first_dose_day": st.none() | st.integers(0, 120),
    }),
    min_size=1,
    max_size=7,
)  # fmt: skip


def reference(cohort: list[tuple[Patient, dict[str, Any]]], base: datetime, cut: int) -> Any:
    """The report's outcome figures from classify() per patient, as the chart computes them."""
    outcomes = {}
    groups: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for patient, spec in cohort:
        points = [Point(base + timedelta(days=d, minutes=i), t, c)
                  for i, (d, t, c) in enumerate(spec["phq9"])]  # fmt: skip
        around = [p.at for p in points if p.context in outcome_summary.DOSE_CONTEXTS]
        if spec["gad7_pre_dose_day"] is not None:
            around.append(base + timedelta(days=spec["gad7_pre_dose_day"], seconds=1))
        first = (base + timedelta(days=spec["first_dose_day"], seconds=2)
                 if spec["first_dose_day"] is not None else min(around, default=None))  # fmt: skip
        outcomes[patient.pk] = classify(points, cut, first)
        for g in spec["groups"]:
            protocol, product = GROUPS[g]
            groups[(protocol, outcome_report.ROUTE_OF_PRODUCT[product])].add(patient.pk)

    def rates(ids: set[Any]) -> tuple[Any, ...]:
        measured = [outcomes[i] for i in ids if outcomes[i].baseline and outcomes[i].latest
                    and outcomes[i].latest.at > outcomes[i].baseline.at
                    and outcomes[i].status != "baseline_below_cutoff"]  # fmt: skip
        responded = [o for o in measured if o.first_response_at is not None]
        days = [o.days_to_first_response for o in responded]
        return (len(ids), len(measured), sum(o.response for o in measured),
                sum(o.remission for o in measured), len(responded),
                median_or_none([d for d in days if d is not None]))  # fmt: skip

    durations, events = [], []
    for o in outcomes.values():
        if o.first_response_at is None or o.latest is None:
            continue
        if o.relapse_at is not None:
            durations.append((o.relapse_at - o.first_response_at).days)
            events.append(True)
        elif o.response:
            durations.append((o.latest.at - o.first_response_at).days)
            events.append(False)
    steps = kaplan_meier(durations, events)
    return (
        rates(set(outcomes)),
        {key: rates(ids) for key, ids in groups.items()},
        (len(durations), sum(events), km_median(steps), steps),
    )


def _figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["patients"], row["measured"], row["response_now"], row["remission_now"],
            row["ever_responded"], row["median_days_to_response"])  # fmt: skip


def _build(world: World, base: datetime, specs: list[dict[str, Any]]) -> list[Any]:
    staff = world.users["prescriber"]
    cohort = []
    for n, spec in enumerate(specs):
        patient = Patient.objects.create(
            clinic=world.clinic, mrn=f"H{n}", given_name="Hypo", family_name=f"Thesis{n}",
            birth_date=base.date() - timedelta(days=40 * 365), sex="female", created_by=staff,
        )  # fmt: skip
        rows = [Assessment(patient=patient, instrument_id="phq9", instrument_version="2001",
                           instrument_name="PHQ-9", answers={}, total=t, context=c,
                           administered_at=base + timedelta(days=d, minutes=i), created_by=staff)
                for i, (d, t, c) in enumerate(spec["phq9"])]  # fmt: skip
        if spec["gad7_pre_dose_day"] is not None:
            rows.append(Assessment(
                patient=patient, instrument_id="gad7", instrument_version="2006",
                instrument_name="GAD-7", answers={}, total=5, context="pre_dose",
                administered_at=base + timedelta(days=spec["gad7_pre_dose_day"], seconds=1),
                created_by=staff))  # fmt: skip
        Assessment.objects.bulk_create(rows)
        for g in sorted(spec["groups"]):
            protocol, product = GROUPS[g]
            course = Course.objects.create(
                patient=patient, protocol_id=protocol, protocol_version="1", product=product,
                state=Course.State.ACTIVE, start_on=base.date(), created_by=staff)  # fmt: skip
            if spec["first_dose_day"] is not None:
                at = base + timedelta(days=spec["first_dose_day"], seconds=2)
                order = DoseOrder.objects.create(
                    patient=patient, course=course, dose_mg=56, calculation={"dose_mg": 56},
                    signed_at=base, signed_by=staff, created_by=staff)  # fmt: skip
                TreatmentSession.objects.create(
                    patient=patient, course=course, order=order, product=product, route="x",
                    on=at.date(), state="monitoring", dosing_started_at=at, created_by=staff,
                )  # fmt: skip
        cohort.append((patient, spec))
    return cohort


@pytest.mark.django_db
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=patients, cut=st.integers(0, 8))
@example(  # responded (10 -> 4), then lost it at 6, which is the cut-off: remission, no relapse
    specs=[{"groups": {0}, "phq9": [(0, 10, "baseline"), (7, 4, "weekly"), (14, 6, "weekly")],
            "gad7_pre_dose_day": None, "first_dose_day": 1}],
    cut=6,
)  # fmt: skip
def test_the_report_equals_classifying_every_patient(
    world: World, specs: list[dict[str, Any]], cut: int
) -> None:
    base = timezone.now() - timedelta(days=200)
    with transaction.atomic():
        cohort = _build(world, base, specs)
        outcome_summary.rebuild(world.clinic.pk)
        overall, groups, durability = reference(cohort, base, cut)
        courses = outcome_report._courses(
            world.clinic, outcome_report.Filters(base.date(), timezone.localdate())
        )
        figures = outcome_report._Cohort(courses, "phq9", cut)
        assert _figures(figures.rates(by_group=False)[0]) == overall
        by_group = {(r["protocol"], r["route"]): _figures(r) for r in figures.rates(by_group=True)}
        assert by_group == groups
        found = figures.durability()
        assert (found["responders"], found["relapses"], found["median_days"]) == durability[:3]
        assert [tuple(s.values()) for s in found["curve"]] == [
            (s.day, s.at_risk, s.events, s.censored, s.survival) for s in durability[3]
        ]
        transaction.set_rollback(True)
