"""The reads on the busiest pages: Django's ORM against the compiled reads, in one run.

    .venv/bin/python bench/reads.py [--database postgres://postgres@127.0.0.1:5432/kc_load_1000]

Runs against a database built by `bench/load.py` (its 1,000-patient network by default). For
each read the chart, the timeline and every request's login make, it times the ORM's
queryset and the `CompiledRead` that replaced it, on the same rows, and prints microseconds
per read and the ratio. Both include the round trip to the database; the difference is the
Python that builds the SQL on every call.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from timing import per_call_us  # beside this file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/kc_load_1000")
    parser.add_argument("--repeat", type=int, default=500)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("KC_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketamine_clinic.server.settings")
    import django

    django.setup()
    from ketamine_clinic.accounts.authn import TOKEN_WITH_USER
    from ketamine_clinic.accounts.backends import MEMBERSHIPS_WITH_USER
    from ketamine_clinic.accounts.models import ApiToken, User
    from ketamine_clinic.patients.access import PATIENT_BY_ID
    from ketamine_clinic.patients.models import Patient
    from ketamine_clinic.patients.views import CHART_READS
    from ketamine_clinic.treatment_sessions.models import TreatmentSession
    from ketamine_clinic.treatment_sessions.queries import ENTRY_MODELS, ENTRY_READS

    session = TreatmentSession.objects.filter(state="discharged").order_by("created_at").first()
    if session is None:
        raise SystemExit("no discharged session: build the database with bench/load.py first")
    patient = Patient.objects.get(pk=session.patient_id)
    user = User.objects.get(username="synth1.nurse")
    token = ApiToken.objects.filter(user=user).order_by("created_at").first()
    reads: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "user with memberships",
            lambda: list(User.active_memberships_query(user.pk).select_related("user")),
            lambda: MEMBERSHIPS_WITH_USER(user.pk),
        ),
        (
            "patient by id",
            lambda: Patient.objects.filter(pk=patient.pk).first(),
            lambda: PATIENT_BY_ID.first(patient.pk),
        ),
    ]
    if token is not None:
        reads.append(
            (
                "API token with user",
                lambda: (
                    ApiToken.objects.select_related("user").filter(key_hash=token.key_hash).first()
                ),
                lambda: TOKEN_WITH_USER.first(token.key_hash),
            )
        )
    for model, read in CHART_READS.items():
        reads.append(
            (
                f"chart: {model._meta.model_name}",
                lambda model=model: list(model._default_manager.filter(patient=patient)),
                lambda read=read: read(patient),
            )
        )
    for kind, model in ENTRY_MODELS.items():
        reads.append(
            (
                f"timeline: {kind}",
                lambda model=model: list(model._default_manager.filter(session=session).order_by()),
                lambda kind=kind: ENTRY_READS[kind](session),
            )
        )
    print(f"{'read':32} {'rows':>4} {'ORM us':>8} {'compiled us':>12} {'ratio':>6}")
    total_orm = total_compiled = 0.0
    for name, orm, compiled in reads:
        rows = compiled()
        count = len(rows) if isinstance(rows, list) else int(rows is not None)
        orm_us, compiled_us = per_call_us(orm, args.repeat), per_call_us(compiled, args.repeat)
        total_orm += orm_us
        total_compiled += compiled_us
        print(f"{name:32} {count:4} {orm_us:8.0f} {compiled_us:12.0f} {orm_us / compiled_us:5.1f}x")
    print(
        f"{'all of them':32} {'':4} {total_orm:8.0f} {total_compiled:12.0f} "
        f"{total_orm / total_compiled:5.1f}x"
    )


if __name__ == "__main__":
    main()
