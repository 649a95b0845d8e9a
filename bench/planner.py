"""The message planner's minute, as the number of future bookings grows.

    .venv/bin/python bench/planner.py [--sizes 1000,20000] [DATABASE_URL]

Each worker plans once a minute (messaging/planner.py). For each size a fresh database (SQLite
in a temporary folder unless a PostgreSQL URL is given) holds one clinic whose patients have
that many booked appointments spread over the next 60 days, booked three days ago and
confirmed then. The first planning after seeding makes the reminders due; the benchmark then
times the steady minute (what every later planning costs) and counts its queries. It prints
the ratio of each size's time to the smallest size's, measured in the same run: a planner
that reads only what is due stays near 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def seed(bookings: int) -> None:
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from ketamine_clinic.accounts.models import Clinic
    from ketamine_clinic.appointments.models import Appointment, Place
    from ketamine_clinic.messaging.models import Message
    from ketamine_clinic.patients.models import Patient

    clinic = Clinic.objects.create(name="Bench Clinic", phone="555-0100")
    chair = Place.objects.create(clinic=clinic, name="Chair 1", kind="chair")
    patients = Patient.objects.bulk_create(
        Patient(clinic=clinic, mrn=str(n), given_name="P", family_name=f"P{n}",
                birth_date=date(1980, 1, 1), sex="female", email=f"p{n}@example.org")
        for n in range(bookings // 6 + 1)
    )  # fmt: skip
    now = timezone.now().replace(second=0, microsecond=0)
    step = timedelta(days=60) / bookings
    rows = [
        Appointment(clinic=clinic, patient=patients[n // 6], kind="dosing",
                    product="iv_racemic", place=chair, starts_at=now + step * (n + 1),
                    ends_at=now + step * (n + 1) + timedelta(minutes=100))
        for n in range(bookings)
    ]  # fmt: skip
    booked_at = now - timedelta(days=3)
    bulk_create_with_history(rows, Appointment, default_date=booked_at, batch_size=2000)
    Message.objects.bulk_create(
        Message(key=f"appointment:{a.pk}:confirmation:{a.starts_at.isoformat()}",
                clinic=clinic, patient_id=a.patient_id, kind="confirmation", channel="email",
                to="x@example.org", body="", due_at=booked_at, state="sent", basis="bench")
        for a in Appointment.objects.all()
    )  # fmt: skip


def measure(bookings: int) -> tuple[float, int, int]:
    """(seconds per steady planning, its queries, messages the first planning made)."""
    from django.core.management import call_command
    from django.db import connection, connections

    from ketamine_clinic.messaging import planner

    call_command("migrate", verbosity=0)
    seed(bookings)
    if connection.vendor == "postgresql":  # as autovacuum would, after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    made = planner.plan(lambda message, at: None)
    best, queries = float("inf"), 0

    def count(run: Any, sql: str, *rest: Any) -> Any:
        nonlocal queries
        queries += 1
        return run(sql, *rest)

    for _ in range(3):
        queries = 0
        start = time.perf_counter()
        with connection.execute_wrapper(count):
            planner.plan(lambda message, at: None)
        best = min(best, time.perf_counter() - start)
    connections.close_all()
    return best, queries, made


def one(size: int) -> None:
    """In a child process whose environment names its own database."""
    import django

    django.setup()
    seconds, queries, made = measure(size)
    print(f"{seconds} {queries} {made}")


def fresh_database(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{url}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "url", nargs="?", help="a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432"
    )
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return
    print(f"{'future bookings':>16} {'ms per planning':>16} {'queries':>8} {'ratio':>6}")
    baseline = None
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            env = dict(os.environ, KC_DATA_DIR=folder,
                       DJANGO_SETTINGS_MODULE="ketamine_clinic.server.settings")  # fmt: skip
            env.pop("DATABASE_URL", None)
            if args.url:
                env["DATABASE_URL"] = fresh_database(
                    args.url.rstrip("/"), f"kc_bench_planner_{size}"
                )
            run = subprocess.run(  # noqa: S603  # this script, run again for one size
                [sys.executable, __file__, "--one", str(size)], env=env,
                check=True, capture_output=True, text=True,
            )  # fmt: skip
        seconds, queries, _ = run.stdout.split()[-3:]
        ms = float(seconds) * 1000
        baseline = baseline or ms
        print(f"{size:>16,} {ms:>16.1f} {queries:>8} {ms / baseline:>5.2f}x")


if __name__ == "__main__":
    main()
