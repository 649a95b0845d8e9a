"""Each member of staff's calendar feed: a private, revocable iCalendar link that shows their
appointments and no patient."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from icalendar import Calendar

from ketamine_clinic.accounts.models import AccessLog, Membership
from ketamine_clinic.appointments.models import CalendarFeed
from tests.conftest import World
from tests.factories.calendar import booked_series

pytestmark = pytest.mark.django_db


def make_link(world: World, persona: str = "nurse") -> str:
    page = world.client(persona).post("/calendar/feed/", {"step": "new"})
    assert page.status_code == 200
    found = re.search(rb"http://testserver(/calendar/feed/kcf_[\w-]+\.ics)", page.content)
    assert found is not None
    return found.group(1).decode()


def test_the_feed_shows_my_appointments_and_no_patient(world: World) -> None:
    series = booked_series(world)
    url = make_link(world)
    answer = Client().get(url)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    events = calendar.walk("VEVENT")
    assert len(events) == len(series)
    assert str(events[0]["SUMMARY"]) == "Dosing · Chair 1"
    assert str(events[0]["UID"]) == f"{series[0].pk}@ketamine-clinic"
    text = answer.content.decode()
    for private in ("Walker", "James", str(world.patient.mrn)):
        assert private not in text
    assert AccessLog.objects.filter(what="calendar feed", action="export").exists()
    prescriber = Client().get(make_link(world, "prescriber"))
    assert Calendar.from_ical(prescriber.content).walk("VEVENT") == []  # not theirs


def test_a_new_link_or_a_revoke_ends_the_old_one(world: World) -> None:
    booked_series(world)
    first = make_link(world)
    second = make_link(world)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    world.client("nurse").post("/calendar/feed/", {"step": "revoke"})
    assert Client().get(second).status_code == 404
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 0
    assert Client().get("/calendar/feed/kcf_guess.ics").status_code == 404
    assert Client().get("/calendar/feed/nonsense.ics").status_code == 404


def test_a_person_who_left_loses_the_feed(world: World) -> None:
    booked_series(world)
    url = make_link(world)
    Membership.objects.filter(user=world.users["nurse"]).update(is_active=False)
    world.users["nurse"].refresh_from_db()
    assert Client().get(url).status_code == 404


def test_who_may_make_a_link(world: World) -> None:
    assert world.client("patient").get("/calendar/feed/").status_code == 403
    assert world.client("admin").post("/calendar/feed/", {"step": "new"}).status_code == 403
    assert Client().get("/calendar/feed/").status_code == 302  # to the login page
