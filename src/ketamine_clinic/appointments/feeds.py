"""Each member of staff's calendar as an iCalendar feed (RFC 5545, built with the icalendar
library) behind a private, revocable link, for the calendar app on their phone.

What leaves the clinic this way carries no patient: an event says the kind of appointment
and the place, and links to its page in the app, which asks for a login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic, User, hash_token
from ketamine_clinic.appointments.models import HOLDING, Appointment, CalendarFeed
from ketamine_clinic.records.models import RecordStatus

PREFIX = "kcf_"
PAST = timedelta(days=30)
AHEAD = timedelta(days=120)


def active(clinic: Clinic, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(clinic=clinic, user=user, revoked_at__isnull=True).first()


def feed_for(raw: str) -> CalendarFeed | None:
    """The live feed behind a link; None for a wrong or revoked one, or a person who no longer
    works there."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    found = (
        CalendarFeed.objects.select_related("user", "clinic")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if (
        found is None
        or not found.user.is_active
        or found.user.membership_in(found.clinic_id) is None
    ):
        return None
    return found


def render(feed: CalendarFeed) -> bytes:
    """The person's appointments from a month ago to four months ahead, as iCalendar."""
    now = timezone.now()
    record_access(Actor(user=feed.user, via="feed"), action="export", what="calendar feed",
                  clinic=feed.clinic_id)  # fmt: skip
    calendar = Calendar()
    calendar.add("prodid", "-//ketamine-clinic//calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{feed.clinic.name}: my appointments")
    rows = Appointment.objects.filter(
        clinic=feed.clinic, staff=feed.user, status=RecordStatus.ACTIVE, state__in=HOLDING,
        starts_at__gte=now - PAST, starts_at__lte=now + AHEAD,
    ).select_related("place")  # fmt: skip
    for a in rows:
        calendar.add_component(_event(a, now))
    return bytes(calendar.to_ical())


def _event(a: Appointment, now: Any) -> Event:
    event = Event()
    event.add("uid", f"{a.pk}@ketamine-clinic")
    event.add("dtstamp", now)
    event.add("dtstart", a.starts_at)
    event.add("dtend", a.ends_at)
    event.add("sequence", a.version)
    event.add("summary", f"{a.get_kind_display()}{f' · {a.place.name}' if a.place else ''}")
    url = settings.KC_PUBLIC_URL + reverse("appointments:detail", args=[a.pk])
    event.add("url", url)
    event.add("description", f"Open it in ketamine-clinic: {url}")
    return event
