"""Messages reach patients through a real SMTP server, once each, on the clinic's schedule;
faults end visibly. The worker runs as in production (`ketamine-clinic worker --once`),
against the database queue, with committed transactions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions
from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.messaging import delivery, tasks
from ketamine_clinic.messaging.models import Message, Preference
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from tests.conftest import World
from tests.factories.calendar import at, furnish
from tests.factories.courses import next_monday
from tests.factories.mail import MailServer
from tests.factories.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def book(world: World, hours_from_now: int | None = None, patient: Any = None) -> Appointment:
    """An evaluation for the patient (with an email address) next Monday at 10:00, or that
    many hours from now, in Room 1 with the prescriber."""
    from ketamine_clinic.appointments.models import Place

    room = Place.objects.filter(clinic=world.clinic, name="Room 1").first()
    room = room or furnish(world)["Room 1"]
    target = patient or world.patient
    target.email = "walker@example.org"
    target.save()
    starts = at(next_monday() + timedelta(days=7), 10)  # always more than 48 hours away
    if hours_from_now is not None:
        starts = (timezone.now() + timedelta(hours=hours_from_now)).replace(second=0, microsecond=0)
    return actions.book(
        Actor(user=world.users["front_desk"]), PatientAccess(target, Role.FRONT_DESK),
        kind="evaluation", starts_at=starts, place=room, staff=[world.users["prescriber"].pk],
    )  # fmt: skip


def everyday_hours(world: World) -> None:
    """The room and the prescriber available around the clock, every day (for near times)."""
    from ketamine_clinic.appointments.models import Place, WorkingHours

    always = {str(d): [["00:00", "23:59"]] for d in range(7)}
    Place.objects.filter(clinic=world.clinic).update(hours=always)
    WorkingHours.objects.filter(clinic=world.clinic).update(hours=always)


def test_a_booking_is_confirmed_by_email_once_and_says_no_more_than_it_must(
    world: World, smtp: MailServer
) -> None:
    booked = book(world)
    run_worker()
    assert len(smtp.inbox.received) == 1
    mail = smtp.inbox.received[0]
    body = smtp.inbox.bodies()[0]
    assert mail["To"] == "walker@example.org"
    assert "Clinic A" in mail["Subject"]
    assert "Clinic A" in body
    assert "10:00" in body
    for private in ("Walker", "James", "ketamine", "esketamine", "depress", "evaluation"):
        assert private.lower() not in body.lower()
    message = Message.objects.get(kind="confirmation")
    assert message.state == "sent"
    assert message.basis  # the consent basis is recorded
    assert message.about["appointment"] == str(booked.pk)
    assert AccessLog.objects.filter(what="message.confirmation email", action="export").count() == 1
    run_worker()  # nothing more to send: never twice
    assert len(smtp.inbox.received) == 1
    # Reminders are made within the hour before they are due, not at booking.
    assert not Message.objects.filter(kind="reminder").exists()
    with time_machine.travel(booked.starts_at - timedelta(hours=48, minutes=30), tick=False):
        run_worker()
    [reminder] = Message.objects.filter(kind="reminder")
    assert (reminder.state, reminder.due_at) == ("queued", booked.starts_at - timedelta(hours=48))
    assert len(smtp.inbox.received) == 1  # not before its time


def test_reminders_go_at_their_time_and_not_after_a_cancellation(
    world: World, smtp: MailServer
) -> None:
    booked = book(world)
    run_worker()
    for before in (timedelta(hours=48, minutes=30), timedelta(hours=47)):
        with time_machine.travel(booked.starts_at - before, tick=False):
            run_worker()
    assert len(smtp.inbox.received) == 2
    assert smtp.inbox.bodies()[1].startswith("Reminder: your appointment at Clinic A")
    with time_machine.travel(booked.starts_at - timedelta(hours=2, minutes=30), tick=False):
        run_worker()  # the 2-hour reminder is made and waits for its time
        actions.cancel(Actor(user=world.users["front_desk"]),
                       PatientAccess(world.patient, Role.FRONT_DESK), booked, booked.version,
                       "patient rang to cancel")  # fmt: skip
    with time_machine.travel(booked.starts_at - timedelta(hours=1), tick=False):
        run_worker()
    assert len(smtp.inbox.received) == 2
    last = Message.objects.filter(kind="reminder").order_by("due_at").last()
    assert last.state == "cancelled"
    assert last.last_error == "the appointment is no longer booked"


def test_a_moved_appointment_is_confirmed_again_for_its_new_time(
    world: World, smtp: MailServer
) -> None:
    booked = book(world)
    run_worker()
    moved = actions.move(Actor(user=world.users["front_desk"]),
                         PatientAccess(world.patient, Role.FRONT_DESK), booked, booked.version,
                         booked.starts_at + timedelta(hours=2))  # fmt: skip
    run_worker()
    assert len(smtp.inbox.received) == 2
    assert "12:00" in smtp.inbox.bodies()[1]
    for before in (timedelta(hours=50, minutes=30), timedelta(hours=48, minutes=30),
                   timedelta(hours=47)):  # fmt: skip
        with time_machine.travel(moved.starts_at - before, tick=False):
            run_worker()
    # The old time's reminder was never made; the new time's went.
    [reminder] = Message.objects.filter(kind="reminder")
    assert (reminder.state, reminder.about["starts_at"]) == ("sent", moved.starts_at.isoformat())
    assert len(smtp.inbox.received) == 3


def test_a_patient_who_stopped_messages_gets_none_and_the_record_says_why(
    world: World, smtp: MailServer
) -> None:
    stopped = timezone.now()
    Preference.objects.create(
        patient=world.patient, channel="email", email_stopped_at=stopped, basis="asked at the desk"
    )
    book(world)
    run_worker()
    assert smtp.inbox.received == []
    message = Message.objects.get(kind="confirmation")
    assert message.state == "cancelled"
    assert message.last_error == "the patient stopped emails"


def test_an_unreachable_mail_server_is_retried_with_backoff_then_delivered_once(
    world: World, smtp: MailServer
) -> None:
    smtp.stop()
    book(world)
    run_worker()
    message = Message.objects.get(kind="confirmation")
    assert message.state == "queued"
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.due_at > timezone.now()  # the next try waits (backoff)
    smtp.start()
    run_worker()  # not due yet
    assert smtp.inbox.received == []
    with time_machine.travel(message.due_at + timedelta(seconds=1), tick=False):
        run_worker()
    message.refresh_from_db()
    assert message.state == "sent"
    assert message.attempts == 2
    assert len(smtp.inbox.received) == 1


def test_a_server_that_stays_down_ends_as_failed_with_the_reason(
    world: World, smtp: MailServer
) -> None:
    smtp.stop()
    book(world)
    run_worker()
    message = Message.objects.get(kind="confirmation")
    for _ in range(6):
        message.refresh_from_db()
        if message.state != "queued":
            break
        with time_machine.travel(message.due_at + timedelta(seconds=1), tick=False):
            run_worker()
    message.refresh_from_db()
    assert message.state == "failed"
    assert message.attempts == 5
    assert message.last_error.startswith("gave up: ConnectionRefusedError")


def test_two_workers_never_send_one_message_twice(world: World, smtp: MailServer) -> None:
    book(world)
    from ketamine_clinic.messaging import planner

    queued: list[Message] = []
    planner.plan(lambda message, when: queued.append(message))
    confirmation = next(m for m in queued if m.kind == "confirmation")
    first = delivery.deliver(confirmation.pk, "worker-a", lambda m, w: None)
    second = delivery.deliver(confirmation.pk, "worker-b", lambda m, w: None)
    assert (first, second) == ("sent", "not queued")
    assert len(smtp.inbox.received) == 1
    assert planner.plan(lambda message, when: queued.append(message)) == 0  # planned once


def test_a_worker_killed_mid_send_leaves_it_interrupted_not_resent(
    world: World, smtp: MailServer
) -> None:
    book(world)
    from ketamine_clinic.messaging import planner

    planner.plan(lambda message, when: None)
    message = Message.objects.get(kind="confirmation")
    assert delivery.claim(message.pk, "killed-worker") is not None  # then the process died
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        run_worker()
    message.refresh_from_db()
    assert message.state == "unconfirmed"
    assert "may not have arrived" in message.last_error
    assert smtp.inbox.received == []


def test_nothing_goes_out_in_quiet_hours(world: World, smtp: MailServer) -> None:
    world.clinic.message_settings = {"quiet_hours": ["21:00", "08:00"]}
    world.clinic.save()
    late = timezone.now().replace(hour=22, minute=30, second=0, microsecond=0)
    with time_machine.travel(late, tick=False):
        furnish(world)
        everyday_hours(world)
        book(world, hours_from_now=60)
        run_worker()
        assert smtp.inbox.received == []
        message = Message.objects.get(kind="confirmation")
        assert message.state == "queued"
        assert timezone.localtime(message.due_at).hour == 8
    with time_machine.travel(message.due_at + timedelta(seconds=1), tick=False):
        run_worker()
    assert len(smtp.inbox.received) == 1


def test_tasks_know_their_worker() -> None:
    assert ":" in tasks.WORKER


def test_the_four_hour_questionnaire_link_reaches_the_patient_after_discharge(
    world: World, smtp: MailServer, clock: Any
) -> None:
    from ketamine_clinic.assessments.models import AssessmentLink
    from tests.factories.session import esketamine_session

    world.patient.email = "walker@example.org"
    world.patient.save()
    esketamine_session(world, clock)
    run_worker()
    assert smtp.inbox.received == []  # not before its time
    links = Message.objects.filter(kind="questionnaire").order_by("due_at")
    assert [m.about["context"] for m in links] == ["4h", "24h"]
    clock.move_to(links[0].due_at + timedelta(minutes=1))
    run_worker()
    assert len(smtp.inbox.received) == 1
    body = smtp.inbox.bodies()[0]
    assert "/q/q_" in body  # a single-use link
    assert "esketamine" not in body.lower()
    link = AssessmentLink.objects.get(context="4h", patient=world.patient)
    assert link.opens_at is None or link.opens_at <= timezone.now()
    kept = Message.objects.get(pk=links[0].pk)
    assert "[link]" in kept.body  # the record does not keep the secret
    start = body.index("/q/")
    response = world.client("patient").get(body[start : body.index(" ", start)])
    assert response.status_code == 200


def test_a_course_booked_at_once_is_confirmed_in_one_message(
    world: World, smtp: MailServer
) -> None:
    from ketamine_clinic.treatment.models import Course
    from tests.factories.courses import order

    furnish(world)
    Patient.objects.filter(pk=world.patient.pk).update(email="walker@example.org")
    world.patient.refresh_from_db()
    later = next_monday() + timedelta(weeks=1)
    course = Course.objects.get(pk=order(world, start_on=later.isoformat()).json()["id"])
    desk = Actor(user=world.users["front_desk"])
    # A week on: booked on a Sunday evening for the next morning, the pre-dose PHQ-9 link
    # (due 15 hours before) would rightly go out with the confirmation.
    actions.book_series(desk, PatientAccess(world.patient, Role.FRONT_DESK), course, later)
    run_worker()
    assert len(smtp.inbox.received) == 1
    body = smtp.inbox.bodies()[0]
    assert body.startswith("Your 6 appointments at Clinic A are booked:")
    assert "must not drive until the next day" in body
    states = sorted(Message.objects.filter(kind="confirmation").values_list("state", flat=True))
    assert states == ["merged"] * 5 + ["sent"]
    run_worker()
    assert len(smtp.inbox.received) == 1


def test_the_evening_before_a_dose_the_patient_gets_the_phq9_link(
    world: World, smtp: MailServer
) -> None:
    from ketamine_clinic.assessments.models import AssessmentLink
    from tests.factories.calendar import booked_series

    Patient.objects.filter(pk=world.patient.pk).update(email="walker@example.org")
    first = booked_series(world, weeks_later=1)[0]  # nothing due yet at any hour of today
    run_worker()  # the series' confirmation
    with time_machine.travel(first.starts_at - timedelta(hours=16), tick=False):
        run_worker()
    assert len(smtp.inbox.received) == 1
    with time_machine.travel(first.starts_at - timedelta(hours=14, minutes=59), tick=False):
        run_worker()
    assert len(smtp.inbox.received) == 2
    assert "/q/q_" in smtp.inbox.bodies()[1]
    link = AssessmentLink.objects.get(context="pre_dose")
    assert first.starts_at <= link.expires_at <= first.starts_at + timedelta(hours=1)


def test_a_patient_in_maintenance_is_asked_for_a_phq9_once_a_week(
    world: World, smtp: MailServer
) -> None:
    from ketamine_clinic.treatment.models import Course
    from tests.factories.courses import order

    Patient.objects.filter(pk=world.patient.pk).update(email="walker@example.org")
    Course.objects.filter(pk=order(world).json()["id"]).update(
        state="active", phase="maintenance weekly"
    )
    run_worker()
    run_worker()
    assert len(smtp.inbox.received) == 1
    assert Message.objects.get(kind="questionnaire").about["context"] == "weekly"
