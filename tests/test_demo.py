"""`ketamine-clinic demo`: sets up two clinics, a user per role and ~20 patients, idempotently."""

from __future__ import annotations

import io
from datetime import datetime, time

import pytest
from django.core.management import call_command
from django.test import Client

from ketamine_clinic.accounts.models import AccessLog, Clinic, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.demo.clinic import DEMO_PASSWORD, DEMO_USERS
from ketamine_clinic.patients.models import Patient, TreatmentTrial


@pytest.mark.django_db
def test_demo_loads_once_and_prints_logins() -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "Loaded demo data" in text
    assert "http://127.0.0.1:8000/" in text
    for user in DEMO_USERS:
        assert user.username in text
    assert Clinic.objects.count() == 2
    assert {m.role for u in User.objects.all() for m in u.memberships.all()} == set(Role)
    assert 18 <= Patient.objects.count() <= 25
    counts = (Patient.objects.count(), TreatmentTrial.objects.count(), AccessLog.objects.count())

    again = io.StringIO()
    call_command("demo", "--no-serve", stdout=again)
    assert "already present" in again.getvalue()
    assert (
        Patient.objects.count(),
        TreatmentTrial.objects.count(),
        AccessLog.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_demo_story_patient_has_the_history_of_the_stories() -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    trials = TreatmentTrial.objects.filter(patient=chen)
    assert (
        trials.filter(kind="antidepressant", adequate=True).exclude(outcome="response").count() == 3
    )
    assert trials.filter(kind="psychotherapy").count() == 1
    assert chen.user is not None
    assert chen.user.username == "meichen"


@pytest.mark.django_db
def test_every_demo_login_works() -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    for user in DEMO_USERS:
        client = Client()
        response = client.post("/login/", {"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, user.username
        assert client.get("/", follow=True).status_code == 200


@pytest.mark.django_db
def test_demo_tells_the_measurement_stories() -> None:
    from ketamine_clinic.assessments.models import SafetyAlert
    from ketamine_clinic.assessments.outcomes import patient_series

    call_command("demo", "--no-serve", stdout=io.StringIO())
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    phq9 = next(s for s in patient_series(chen) if s.instrument.id == "phq9")
    assert phq9.outcome is not None
    assert phq9.outcome.baseline is not None
    assert phq9.outcome.baseline.total == 21
    assert phq9.outcome.latest is not None
    assert phq9.outcome.latest.total == 8
    assert phq9.outcome.status == "response"
    statuses = {
        s.outcome.status for p in Patient.objects.all() for s in patient_series(p) if s.outcome
    }
    assert "relapse" in statuses
    assert SafetyAlert.objects.filter(acknowledged_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_demo_chen_is_ready_for_iv_ketamine() -> None:
    from django.utils import timezone

    from ketamine_clinic.evaluations.models import Evaluation
    from ketamine_clinic.evaluations.queries import treatment_gate

    call_command("demo", "--no-serve", stdout=io.StringIO())
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    evaluation = Evaluation.objects.get(patient=chen)
    assert evaluation.decision == "eligible_with_precautions"
    assert [r["code"] for r in evaluation.reasons] == ["blood_pressure_raised"]
    assert treatment_gate(chen, "iv_racemic", timezone.localdate()) == []
    assert "REMS patient enrolment" in treatment_gate(
        chen, "esketamine_nasal", timezone.localdate()
    )


@pytest.mark.django_db
def test_demo_chen_has_her_course_and_the_clinic_its_protocol() -> None:
    from ketamine_clinic.treatment.models import Course, ScheduledSession
    from ketamine_clinic.treatment.queries.protocols import available
    from ketamine_clinic.treatment.queries.titration import course_facts, open_suggestions

    call_command("demo", "--no-serve", stdout=io.StringIO())
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    course = Course.objects.get(patient=chen)
    assert course.state == "active"
    assert course.phase == "maintenance weekly"
    sessions = ScheduledSession.objects.filter(course=course)
    assert sessions.filter(kind="dosing", state="done").count() == 6
    assert sessions.filter(kind="integration", state="done").count() == 3
    assert sessions.filter(kind="dosing", state="planned").count() == 8  # 4 weekly, 4 fortnightly
    facts = course_facts(course)
    assert facts.doses_given == 6
    assert facts.outcome is not None
    assert facts.outcome.status == "response"  # MADRS 34 -> 16 (clinician-rated, preferred)
    assert open_suggestions(course) == []  # responding, not yet in remission: nothing to change
    assert "iv-twice-weekly" in [p.id for p in available(chen.clinic_id)]


@pytest.mark.django_db
def test_demo_has_an_esketamine_session_with_its_rems_form_due() -> None:
    from ketamine_clinic.clinical.rems_form import missing
    from ketamine_clinic.treatment_sessions.models import TreatmentSession
    from ketamine_clinic.treatment_sessions.rems import build, due_rows

    call_command("demo", "--no-serve", stdout=io.StringIO())
    session = TreatmentSession.objects.get()
    assert session.state == "discharged"
    form = build(session)
    assert missing(form) == []
    assert form.dose_mg == 56
    assert form.bp_at_40_min == "141/88"
    assert form.dissociation is True
    assert form.sedation is True  # MOAA/S 4 at 25 minutes
    (row,) = due_rows([session.patient.clinic_id])
    assert row["status"] == "due in 5 days"
    from ketamine_clinic.inventory.models import Container, LedgerTransaction

    booked = LedgerTransaction.objects.filter(session=session, kind="administer")
    assert booked.count() == 2
    kit = Container.objects.get(pk=booked.first().container_id)  # type: ignore[union-attr]
    assert kit.balance_mg == 0
    assert Container.objects.filter(balance_mg__gt=0).count() == 8


@pytest.mark.django_db
@pytest.mark.parametrize("started", ["2026-12-06 20:30", "2026-12-09 06:00"])  # Sunday; Wednesday
def test_the_demo_clinic_is_alive_whatever_day_and_hour_it_starts(started: str) -> None:
    """Ms. Chen's maintenance dose is on today's chair list, booked for 08:00, and the
    nurse can open it, on a Sunday evening as on a weekday morning."""
    import time_machine
    from django.utils import timezone

    from ketamine_clinic.treatment.models import ScheduledSession

    local = timezone.get_current_timezone()
    with time_machine.travel(datetime.strptime(started, "%Y-%m-%d %H:%M").replace(tzinfo=local)):
        call_command("demo", "--no-serve", stdout=io.StringIO())
        today = timezone.localdate()
        chen = Patient.objects.get(family_name="Chen", given_name="Mei")
        dose = ScheduledSession.objects.get(course__patient=chen, on=today, kind="dosing")
        assert dose.state == "planned"
        [booked] = dose.appointments.all()
        assert timezone.localtime(booked.starts_at).time() == time(8, 0)
        client = Client()
        client.post("/login/", {"username": "sam", "password": DEMO_PASSWORD})
        chair = client.get("/chair/").content.decode()
        assert "Chen, Mei" in chair or "Mei Chen" in chair
        opened = client.post(f"/chair/open/{dose.pk}/")
        assert opened.status_code == 302
        assert client.get(opened["Location"]).status_code == 200
        dose.refresh_from_db()
        assert dose.treatment_session.patient == chen  # opened at the chair
