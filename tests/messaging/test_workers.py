"""Two workers, two processes, one PostgreSQL queue: every message goes exactly once
(issue 24's "no duplicate message"). The workers are real `ketamine-clinic worker --once`
processes against the test database, sending to the test's SMTP server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions
from ketamine_clinic.messaging.models import Message
from ketamine_clinic.patients.access import PatientAccess
from tests.conftest import World, register
from tests.factories.calendar import at, furnish
from tests.factories.courses import next_monday
from tests.factories.mail import MailServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two processes share PostgreSQL"),
]
PATIENTS = 12


def _worker(port: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}/{db['NAME']}",
        "KC_SMTP_HOST": "127.0.0.1", "KC_SMTP_PORT": str(port), "KC_SMTP_STARTTLS": "0",
        "KC_MAIL_FROM": "clinic@clinic-a.example",
    }  # fmt: skip
    return subprocess.Popen(  # our own command
        [sys.executable, "-m", "ketamine_clinic.cli", "worker", "--once"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_two_workers_send_each_message_once(world: World, smtp: MailServer) -> None:
    # The worker processes keep the real clock, which the suite's midday does not move: with
    # no quiet hours, what they send does not depend on the hour the suite runs.
    world.clinic.message_settings = {"quiet_hours": None}
    world.clinic.save(update_fields=["message_settings"])
    places = furnish(world)
    desk = Actor(user=world.users["front_desk"])
    start = at(next_monday() + timedelta(days=7), 8)
    for n in range(PATIENTS):
        patient = register(world.users["front_desk"], world.clinic, f"P{n}", "Many",
                           email=f"p{n}@example.org")  # fmt: skip
        actions.book(desk, PatientAccess(patient, Role.FRONT_DESK), kind="follow_up",
                     starts_at=start + timedelta(minutes=30 * n), place=places["Room 1"],
                     staff=[world.users["prescriber"].pk])  # fmt: skip
    workers = [_worker(smtp.port), _worker(smtp.port)]
    for process in workers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    sent = Message.objects.filter(kind="confirmation", state="sent")
    assert sent.count() == PATIENTS
    to = Counter(m["To"] for m in smtp.inbox.received)
    assert len(smtp.inbox.received) == PATIENTS
    assert set(to.values()) == {1}
    assert Message.objects.filter(kind="confirmation").count() == PATIENTS  # planned once each
    claimed = {m.claimed_by for m in sent}
    assert all(":" in worker for worker in claimed)
