"""The chart's timeline: every clinical event of the patient, newest first, each linked;
a record entered in error stays, marked; older events a page at a time; only those who read
the clinical record (the care team and the clinic admin) read it, and each read is logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.clinic.timeline import PAGE
from tests.conftest import World
from tests.factories.courses import phq9, signed_course

pytestmark = pytest.mark.django_db


def url(world: World, page: int | None = None) -> str:
    return f"/patients/{world.patient.pk}/timeline/" + (f"?page={page}" if page else "")


def test_every_kind_of_event_newest_first_and_linked(world: World) -> None:
    course = signed_course(world)  # evaluation, consent, course, a baseline PHQ-9
    api = world.api("nurse")
    api.post(f"/patients/{world.patient.pk}/assessments", phq9(9, timezone.now()))
    wrong = Assessment.objects.filter(total=9).get()
    marked = api.post(f"/patients/{world.patient.pk}/assessments/{wrong.pk}/entered-in-error",
                      {"reason": "another patient's answers", "version": 1})  # fmt: skip
    assert marked.status_code == 200, marked.content
    page = world.client("prescriber").get(url(world)).content.decode()
    kinds = [line.split('data-kind="')[1].split('"')[0] for line in page.splitlines()
             if 'data-kind="' in line]  # fmt: skip
    assert set(kinds) >= {"evaluation", "consent", "course", "score"}
    assert kinds[0] == "score"  # the newest: today's PHQ-9
    assert "PHQ-9 9" in page
    assert "entered in error" in page
    assert "PHQ-9 18" in page
    assert "Evaluation signed" in page
    assert "Consent signed" in page
    assert "Course ordered" in page
    assert f'href="/courses/{course["id"]}/"' in page
    assert page.index("PHQ-9 9") < page.index("PHQ-9 18")  # newest first
    assert AccessLog.objects.filter(what="timeline", patient_id=world.patient.pk).exists()


def test_the_chart_loads_it_and_older_events_come_a_page_at_a_time(world: World) -> None:
    signed_course(world)
    api = world.api("nurse")
    start = timezone.now() - timedelta(days=200)
    for n in range(PAGE + 5):
        api.post(f"/patients/{world.patient.pk}/assessments",
                 phq9(n % 20, start + timedelta(days=n)))  # fmt: skip
    client = world.client("nurse")
    chart = client.get(f"/patients/{world.patient.pk}/").content.decode()
    assert f'hx-get="{url(world)}"' in chart
    first = client.get(url(world)).content.decode()
    second = client.get(url(world, 2)).content.decode()
    assert first.count("<li") == PAGE
    assert "Older" in first
    assert "Newer" in second
    assert second.count("<li") > 0
    assert "Older" not in second
    # Nothing lost or shown twice between the pages.
    both = first.count("<li") + second.count("<li")
    assert both == Assessment.objects.count() + 3  # and the evaluation, the consent, the course
    assert client.get(url(world) + "?page=0").status_code == 400
    assert client.get(f"/patients/{world.patient.pk}/timeline/?page=x").status_code == 400


def test_nothing_recorded_says_what_will_be_listed(world: World) -> None:
    page = world.client("nurse").get(url(world)).content.decode()
    assert "Nothing recorded yet" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 200), ("nurse", 200), ("front_desk", 403), ("patient", 404),
     ("admin", 200), ("other_clinic_nurse", 404)],
)  # fmt: skip
def test_only_clinical_readers_read_it(world: World, persona: str, status: int) -> None:
    assert world.client(persona).get(url(world)).status_code == status


def test_no_login_is_sent_to_log_in(world: World) -> None:
    answer = Client().get(url(world))
    assert answer.status_code == 302
    assert answer["Location"].startswith("/login/")


def test_the_front_desk_chart_has_no_timeline(world: World) -> None:
    chart = world.client("front_desk").get(f"/patients/{world.patient.pk}/").content.decode()
    assert "/timeline/" not in chart
