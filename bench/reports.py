"""Benchmark of the outcome report on a synthetic network, on PostgreSQL.

    .venv/bin/python bench/reports.py [postgres://postgres@127.0.0.1:5432/kc_bench]

Creates the database if needed and, once, a clinic with 100,000 patients, one course and
one signed order each, and 2,000,000 PHQ-9 administrations (20 per patient: a baseline,
the first dose, then follow-ups that respond, remit, relapse or not). Then it times the
outcome report over the whole cohort and prints its query count, against the baseline of
classifying each patient through the chart's own per-patient path on a sample.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
URL = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/kc_bench"
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.server.settings")

PATIENTS = 100_000
PER_PATIENT = 20
CLINIC = "Bench Network Clinic"
LOADING = f"{CLINIC} (loading)"
PROTOCOLS = (
    ("iv-racemic-standard", "iv_racemic"),
    ("esketamine-trd-us", "esketamine_nasal"),
    ("im-racemic", "im_racemic"),
)


def ensure_database() -> None:
    import psycopg

    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def answers_for(total: int) -> dict[str, int]:
    items = {str(i): 0 for i in range(1, 10)}
    left = total
    for i in range(1, 9):
        items[str(i)] = min(3, left)
        left -= items[str(i)]
    return items


def trajectory(rng: random.Random) -> list[int]:
    """A baseline, then 19 later scores: responders, remitters, relapsers, non-responders."""
    baseline = rng.randint(14, 24)
    kind = rng.random()
    scores = [baseline, baseline]
    for week in range(1, PER_PATIENT - 1):
        if kind < 0.35:  # responds and stays
            target = baseline * 0.35
        elif kind < 0.55:  # responds, then relapses after week 8
            target = baseline * (0.4 if week < 8 else 0.8)
        else:  # no response
            target = baseline * 0.8
        scores.append(max(0, min(24, round(target + rng.gauss(0, 1.5)))))
    return scores


def populate() -> Any:
    from django.utils import timezone

    from ketamine_clinic.accounts.models import Clinic, Membership, User
    from ketamine_clinic.accounts.roles import Role
    from ketamine_clinic.assessments import outcome_summary
    from ketamine_clinic.assessments.models import Assessment
    from ketamine_clinic.patients.models import Patient
    from ketamine_clinic.treatment.models import Course, DoseOrder

    found = Clinic.objects.filter(name=CLINIC).first()
    if found is not None:
        return found
    if Clinic.objects.filter(name=LOADING).exists():
        sys.exit(f"an earlier load was interrupted: drop the database ({URL}) and run again")
    clinic = Clinic.objects.create(name=LOADING)
    staff = []
    for n in range(5):
        user = User.objects.create_user(f"bench-prescriber-{n}", password=None)
        Membership.objects.create(user=user, clinic=clinic, role=Role.PRESCRIBER)
        staff.append(user)
    rng = random.Random(20261122)  # noqa: S311  # synthetic data, not security
    now = timezone.now()
    batch = 5_000
    for first in range(0, PATIENTS, batch):
        patients = [
            Patient(clinic=clinic, mrn=f"{first + i:07d}", given_name="Synthetic",
                    family_name=f"Patient{first + i}", birth_date=now.date() - timedelta(
                        days=rng.randint(20 * 365, 75 * 365)), sex=rng.choice(["female", "male"]),
                    created_by=staff[0])
            for i in range(min(batch, PATIENTS - first))
        ]  # fmt: skip
        Patient.objects.bulk_create(patients)
        courses, orders, scores = [], [], []
        for patient in patients:
            protocol, product = rng.choice(PROTOCOLS)
            start = now - timedelta(days=rng.randint(30, 700))
            course = Course(patient=patient, protocol_id=protocol, protocol_version="1",
                            product=product, state=Course.State.ACTIVE, start_on=start.date(),
                            created_by=staff[0])  # fmt: skip
            courses.append(course)
            prescriber = rng.choice(staff)
            orders.append(DoseOrder(patient=patient, course=course, dose_mg=56,
                                    calculation={"dose_mg": 56}, signed_at=start,
                                    signed_by=prescriber, created_by=prescriber))  # fmt: skip
            for n, total in enumerate(trajectory(rng)):
                at = start + timedelta(days=-1 if n == 0 else (n - 1) * 7)
                context = "baseline" if n == 0 else ("pre_dose" if n == 1 else "weekly")
                scores.append(Assessment(
                    patient=patient, instrument_id="phq9", instrument_version="2001",
                    instrument_name="PHQ-9", answers=answers_for(total), total=total,
                    administered_at=at, context=context, created_by=staff[0]))  # fmt: skip
        Course.objects.bulk_create(courses)
        DoseOrder.objects.bulk_create(orders)
        Assessment.objects.bulk_create(scores, batch_size=10_000)
        print(f"  {first + len(patients):,} patients", flush=True)
    began = time.perf_counter()
    outcome_summary.rebuild(clinic.pk)  # bulk_create bypassed the actions that keep it current
    print(f"  outcome summary built in {time.perf_counter() - began:.0f} s", flush=True)
    Clinic.objects.filter(pk=clinic.pk).update(name=CLINIC)  # complete: later runs reuse it
    return clinic


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from ketamine_clinic.assessments.outcomes import patient_series
    from ketamine_clinic.interop import outcome_report
    from ketamine_clinic.patients.models import Patient

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    clinic = populate()
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum keeps them in service
        cursor.execute("ANALYZE")
    print(f"data ready in {time.perf_counter() - started:.0f} s")
    today = timezone.localdate()
    filters = outcome_report.Filters(today - timedelta(days=730), today)
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            report = outcome_report.build(clinic, filters)
            timings.append(time.perf_counter() - began)
    print(f"outcome report: {report['cohort']['patients']:,} patients, best of 3 "
          f"{min(timings) * 1000:.0f} ms, {len(queries.captured_queries)} queries")  # fmt: skip
    sample = list(Patient.objects.filter(clinic=clinic)[:500])
    began = time.perf_counter()
    for patient in sample:
        patient_series(patient)
    per_patient = (time.perf_counter() - began) / len(sample)
    whole = per_patient * report["cohort"]["patients"]
    ratio = whole / min(timings)
    print(f"baseline, the chart's per-patient path: {per_patient * 1000:.1f} ms per patient, "
          f"{whole:.0f} s for the cohort; the report is {ratio:.0f}x faster")  # fmt: skip


if __name__ == "__main__":
    main()
