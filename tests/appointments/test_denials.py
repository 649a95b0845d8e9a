"""Every new screen refuses the wrong person: no login, the wrong role, another clinic."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ketamine_clinic.messaging.models import Post
from tests.conftest import World
from tests.factories.calendar import booked_series

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def screens(world: World) -> dict[str, str]:
    series = booked_series(world)
    world.client("patient").post("/me/messages/", {
        "subject": "A question", "body": "Is Monday still on?",
        "attachments": [SimpleUploadedFile("a.png", PNG)]})  # fmt: skip
    post = Post.objects.get(from_patient=True)
    return {
        "calendar": "/calendar/",
        "events": "/calendar/events/?start=2027-01-04T00:00:00&end=2027-01-05T00:00:00",
        "appointment": f"/calendar/appointments/{series[0].pk}/",
        "series": f"/calendar/courses/{series[0].course_id}/book/",
        "book": f"/calendar/patients/{world.patient.pk}/book/",
        "book_any": "/calendar/book/",
        "card": f"/calendar/patients/{world.patient.pk}/",
        "waiting": "/calendar/waiting/",
        "places": "/calendar/places/",
        "feed_link": "/calendar/feed/",
        "inbox": "/inbox/",
        "thread": f"/messages/{post.thread_id}/",
        "file": f"/messages/files/{post.attachments.get().pk}/",
        "threads_card": f"/messages/patients/{world.own_patient.pk}/",
        "my_appointments": "/me/appointments/",
        "my_messages": "/me/messages/",
        "my_contact": "/me/contact/",
    }


def test_no_login_is_sent_to_log_in(world: World) -> None:
    for name, url in screens(world).items():
        answer = Client().get(url)
        assert answer.status_code == 302, name
        assert answer["Location"].startswith("/login/"), name


EXPECTED = {  # (front desk, patient, admin, other clinic's nurse)
    "calendar": (200, 403, 403, 200),
    "appointment": (200, 404, 403, 404),
    "series": (200, 404, 403, 404),
    "book": (200, 404, 403, 404),
    "book_any": (200, 403, 403, 200),
    "card": (200, 404, 403, 404),
    "waiting": (200, 403, 403, 200),
    "places": (403, 403, 200, 403),
    "feed_link": (200, 403, 403, 200),
    "inbox": (403, 403, 403, 200),
    "thread": (403, 200, 403, 404),
    "file": (403, 200, 403, 404),
    "threads_card": (403, 403, 403, 404),  # the chart's card is the care team's
    "my_appointments": (403, 200, 403, 403),
    "my_messages": (403, 200, 403, 403),
    "my_contact": (403, 200, 403, 403),
}


def test_each_role_and_clinic_gets_what_it_should(world: World) -> None:
    urls = screens(world)
    for name, statuses in EXPECTED.items():
        for persona, status in zip(("front_desk", "patient", "admin", "other_clinic_nurse"),
                                   statuses, strict=True):  # fmt: skip
            got = world.client(persona).get(urls[name]).status_code
            assert got == status, (name, persona, got)
