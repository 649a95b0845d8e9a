"""The staff's deadline messages: who gets them, when, once, and with no patient named."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ketamine_clinic.accounts.models import User
from ketamine_clinic.assessments.models import SafetyAlert
from ketamine_clinic.inventory.models import LossReport
from ketamine_clinic.messaging.models import Message
from ketamine_clinic.treatment_sessions.models import TreatmentSession
from tests.conftest import World
from tests.factories.chair import plan_today
from tests.factories.courses import phq9
from tests.factories.mail import MailServer
from tests.factories.session import esketamine_session
from tests.factories.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def staff_emails(world: World) -> None:
    for persona in ("admin", "prescriber", "nurse"):
        User.objects.filter(pk=world.users[persona].pk).update(email=f"{persona}@clinic.example")


def to(smtp: MailServer) -> list[str]:
    return sorted(m["To"] for m in smtp.inbox.received)


def test_a_waiting_safety_alert_reaches_the_prescribers_once(
    world: World, smtp: MailServer, clock: Any
) -> None:
    staff_emails(world)
    answers = phq9(12, timezone.now())
    answers["items"]["9"] = 2
    world.api("patient").post(f"/patients/{world.own_patient.pk}/assessments", answers)
    assert SafetyAlert.objects.filter(acknowledged_at__isnull=True).exists()
    run_worker()
    assert smtp.inbox.received == []  # 30 minutes' grace
    clock.shift(timedelta(minutes=31))
    run_worker()
    run_worker()
    assert to(smtp) == ["prescriber@clinic.example"]
    body = smtp.inbox.bodies()[0]
    assert "safety alert" in body
    assert "Chen" not in body
    assert "Mei" not in body
    assert "/dashboard/" in body


def test_a_rems_form_not_submitted_is_flagged_two_days_before_its_deadline(
    world: World, smtp: MailServer, clock: Any
) -> None:
    staff_emails(world)
    esketamine_session(world, clock)
    run_worker()
    assert smtp.inbox.received == []
    clock.shift(timedelta(days=5))
    run_worker()
    assert to(smtp) == ["prescriber@clinic.example"]
    assert "REMS Patient Monitoring Form is due by" in smtp.inbox.bodies()[0]
    TreatmentSession.objects.update(rems_submitted_at=timezone.now())
    clock.shift(timedelta(days=1))
    run_worker()
    assert len(smtp.inbox.received) == 1


def test_a_loss_report_tells_the_admins_its_deadlines(world: World, smtp: MailServer) -> None:
    staff_emails(world)
    today = timezone.localdate()
    LossReport.objects.create(
        clinic=world.clinic, discovered_on=today, quantity_mg=Decimal("20"),
        description="vial short at the count", notice_due=today + timedelta(days=1),
        form_106_due=today + timedelta(days=45), created_by=world.users["admin"],
    )  # fmt: skip
    run_worker()
    bodies = smtp.inbox.bodies()
    assert to(smtp) == ["admin@clinic.example"] * 3  # notice (opened and soon), Form 106
    assert sum("the DEA notice" in b for b in bodies) == 2
    assert sum("DEA Form 106" in b for b in bodies) == 1


def test_an_expiring_evaluation_reaches_the_prescriber_who_signed_it(
    world: World, smtp: MailServer, clock: Any
) -> None:
    staff_emails(world)
    plan_today(world)  # a signed evaluation today and an active course
    clock.shift(timedelta(days=340))
    run_worker()
    assert smtp.inbox.received == []
    clock.shift(timedelta(days=12))
    run_worker()
    assert to(smtp) == ["prescriber@clinic.example"]
    assert "an evaluation you signed" in smtp.inbox.bodies()[0]
    assert Message.objects.filter(kind="staff_task", state="sent").count() == 1


def test_staff_without_an_email_address_get_a_visible_not_sent(
    world: World, smtp: MailServer
) -> None:
    today = timezone.localdate()
    LossReport.objects.create(
        clinic=world.clinic, discovered_on=today, quantity_mg=Decimal("5"), description="x",
        notice_due=today + timedelta(days=10), form_106_due=today + timedelta(days=45),
        created_by=world.users["admin"],
    )  # fmt: skip
    run_worker()
    assert smtp.inbox.received == []
    assert set(Message.objects.values_list("last_error", flat=True)) == {
        "no email address for this member of staff"
    }
