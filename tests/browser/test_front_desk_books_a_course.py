"""Jo books a six-infusion course into chairs; Ms. Chen's confirmation arrives by email, and
4 hours after a session's discharge so does her PHQ-9 link, both sent by the worker
(STORIES.md journeys 1 and 2; the clock moved by time-machine)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions
from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.messaging.models import Message
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import Course
from tests.browser.conftest import assert_accessible
from tests.conftest import World
from tests.factories.browser import log_in
from tests.factories.calendar import furnish
from tests.factories.courses import next_monday, order
from tests.factories.mail import MailServer
from tests.factories.session import esketamine_session
from tests.factories.worker import run_worker


def test_the_front_desk_books_a_course_and_the_patient_hears_from_the_clinic(
    live_server: Any, world: World, page: Page, smtp: MailServer, clock: Any
) -> None:
    furnish(world)
    Patient.objects.filter(pk=world.patient.pk).update(email="walker@example.org")
    world.patient.refresh_from_db()
    order(world)

    log_in(page, live_server, "front_desk")
    page.goto(f"{live_server}/patients/{world.patient.pk}/")
    page.locator("#appointments").get_by_role("link", name="Book the sessions into chairs").click()
    page.get_by_role("button", name="Show the times").click()
    expect(page.locator("#proposals tbody tr")).to_have_count(6)
    assert_accessible(page, "book-series")
    page.get_by_role("button", name="Book these 6 sessions").click()
    expect(page.get_by_text("6 sessions booked.")).to_be_visible()
    expect(page.locator(".ec-event").first).to_be_visible()
    expect(page.locator(".ec-event")).to_have_count(1)  # the first day, chairs as columns
    assert_accessible(page, "calendar")

    run_worker()
    assert len(smtp.inbox.received) == 1
    assert smtp.inbox.bodies()[0].startswith("Your 6 appointments at Clinic A are booked:")

    page.locator(".ec-event").first.click()
    expect(page.locator("#appointment-state")).to_have_text("Booked")

    esketamine_session(world, clock)  # today at the chair, discharged
    run_worker()
    assert len(smtp.inbox.received) == 1  # the link is not due yet
    link = Message.objects.get(kind="questionnaire", about__context="4h")
    clock.move_to(link.due_at + timedelta(minutes=1))
    run_worker()
    assert len(smtp.inbox.received) == 2
    body = smtp.inbox.bodies()[1]
    start = body.index("/q/")
    page.goto(f"{live_server}{body[start : body.index(' ', start)]}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("PHQ-9")


def _drag(page: Page, event: Any, x: float, y: float) -> None:
    box = event.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(x, y, steps=10)
    page.mouse.up()


def test_a_drag_moves_an_appointment_or_says_why_not(
    live_server: Any, world: World, page: Page
) -> None:
    furnish(world)
    course = Course.objects.get(pk=order(world).json()["id"])
    desk = Actor(user=world.users["front_desk"])
    actions.book_series(desk, PatientAccess(world.patient, Role.FRONT_DESK), course, next_monday())
    log_in(page, live_server, "front_desk")
    page.goto(f"{live_server}/calendar/?day={next_monday()}")
    event = page.locator(".ec-event").first
    expect(event).to_be_visible()
    chair2 = page.locator(".ec-col-head").nth(1).bounding_box()
    start = event.bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/drop/")) as answer:
        _drag(page, event, chair2["x"] + 30, start["y"] + 12)  # same time, Chair 2
    assert answer.value.json()["moved"] is True
    expect(page.locator("#day-list")).to_contain_text("Chair 1")  # the list is the page's
    page.reload()
    expect(page.locator("#day-list")).to_contain_text("Chair 2")
    first = Appointment.objects.order_by("starts_at").first()
    assert first.place.name == "Chair 2"
    assert first.moved_from == first.starts_at  # same time, another chair
    # Two hours later breaks the 48 hours to Wednesday's session: put back, with the reason.
    event = page.locator(".ec-event").first
    box = event.bounding_box()
    two_hours = box["height"] * 120 / 100  # the event is 100 minutes tall
    _drag(page, event, box["x"] + 30, box["y"] + 10 + two_hours)
    expect(page.locator("#kc-calendar-error")).to_contain_text("Not moved: less than 48 hours")
    first.refresh_from_db()
    assert first.version == 2
