"""`ketamine-clinic synth`: a small network, checked as the app sees it: the books hold, the
outcome report and the screens work on it, staff can log in, and a second run is refused."""

from __future__ import annotations

import io
import random
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.assessments.models import Assessment, OutcomeSummary
from ketamine_clinic.clinic import ledger_integrity as integrity
from ketamine_clinic.demo import names as synth_names
from ketamine_clinic.interop import outcome_report
from ketamine_clinic.inventory.models import Container, LedgerTransaction
from ketamine_clinic.patients.models import Patient, TreatmentTrial
from ketamine_clinic.treatment_sessions.models import Administration, TreatmentSession

PASSWORD = "synthetic-staff-password-1"


@pytest.mark.django_db
def test_a_small_network_as_the_app_sees_it() -> None:
    out = io.StringIO()
    call_command("synth", "--clinics", "2", "--patients", "31", "--sessions", "4",
                 "--scores", "6", "--password", PASSWORD, stdout=out)  # fmt: skip
    assert "2 synthetic clinics, 31 patients" in out.getvalue()
    first, second = Clinic.objects.filter(name__startswith="Synthetic").order_by("name")
    assert Patient.objects.filter(clinic=first).count() == 16
    assert Patient.objects.filter(clinic=second).count() == 15
    sessions = TreatmentSession.objects.count()
    assert sessions == 31 * 4
    assert Container.objects.count() == sessions  # single-use containers, one per dose
    assert Assessment.objects.count() == 31 * 6
    assert TreatmentTrial.objects.count() == 31 * 2
    assert OutcomeSummary.objects.count() == 31
    assert integrity.problems() == []  # every dose booked, every balance adds up
    assert LedgerTransaction.objects.filter(kind="administer").count() == (
        Administration.objects.filter(given_mg__isnull=False).count()
    )
    today = timezone.localdate()
    report = outcome_report.build(
        first, outcome_report.Filters(today - timedelta(days=3 * 365), today)
    )
    assert report["cohort"]["patients"] == 16
    assert report["overall"]["measured"] == 16
    assert report["sessions"] == 16 * 4
    client = Client()
    response = client.post("/login/", {"username": "synth1.prescriber", "password": PASSWORD})
    assert response.status_code == 302
    patient = Patient.objects.filter(clinic=first).first()
    assert patient is not None
    assert client.get(f"/patients/{patient.pk}/").status_code == 200
    session = TreatmentSession.objects.filter(patient=patient).first()
    assert session is not None
    assert client.get(f"/chair/{session.pk}/").status_code == 200
    with pytest.raises(CommandError, match="use a new database"):
        call_command("synth", "--clinics", "1", "--patients", "1")


@pytest.mark.django_db
def test_a_plan_too_big_for_one_clinic_is_refused() -> None:
    with pytest.raises(CommandError, match="--patients: at most 99,999 doses per clinic"):
        call_command("synth", "--clinics", "1", "--patients", "20000", "--sessions", "6")
    with pytest.raises(CommandError, match="--clinics"):
        call_command("synth", "--clinics", "0", "--patients", "10")


@pytest.mark.django_db
def test_today_brings_patients_to_the_chair_ready_for_their_injection() -> None:
    call_command("synth", "--clinics", "1", "--patients", "5", "--sessions", "1", "--scores",
                 "2", "--today", "3", "--password", PASSWORD, stdout=io.StringIO())  # fmt: skip
    today = TreatmentSession.objects.filter(on=timezone.localdate())
    assert today.count() == 3
    assert {s.state for s in today} == {"checks_passed"}
    assert {s.route for s in today} == {"im"}
    vials = Container.objects.filter(balance_mg=500)
    assert vials.count() >= 2
    assert integrity.problems() == []
    client = Client()
    client.post("/login/", {"username": "synth1.nurse", "password": PASSWORD})
    session = today.first()
    assert session is not None
    dose = str(session.order.calculation["dose_mg"])
    given = client.post(
        f"/api/v1/sessions/{session.pk}/doses",
        {"version": session.version, "action": "im_injection", "container": str(vials[0].pk),
         "drawn_mg": dose, "given_mg": dose},
        content_type="application/json",
    )  # fmt: skip
    assert given.status_code == 201, given.content
    assert integrity.problems() == []


def test_today_is_bounded_by_the_clinic() -> None:
    with pytest.raises(CommandError, match="--today"):
        call_command("synth", "--clinics", "1", "--patients", "3", "--today", "4")


def test_synthetic_surnames_vary_as_a_clinic_s_do() -> None:
    """Search is measured on these names: thousands of them, a few common, none dominant."""
    names = synth_names.surnames(random.Random(7), 50_000)  # noqa: S311
    counts = Counter(names).most_common()
    assert len(counts) > 10_000
    assert counts[0][1] < 0.01 * len(names)  # the commonest is under 1%
    assert sum(n for _, n in counts[:1000]) > 0.4 * len(names)  # but the long tail is long
    assert names == synth_names.surnames(random.Random(7), 50_000)  # noqa: S311  # repeatable
