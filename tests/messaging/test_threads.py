"""Secure messages between a patient and the care team: threads, the triage inbox,
receipts, attachments checked by content, the after-hours reply, and who may see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.messaging.models import Message, Post, Thread
from tests.conftest import World

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def start(world: World, **files: Any) -> Thread:
    answer = world.client("patient").post(
        "/me/messages/", {"subject": "Feeling dizzy", "body": "Since Monday's dose.", **files}
    )
    assert answer.status_code == 302, answer.content
    return Thread.objects.get()


def test_a_patient_writes_and_the_care_team_reads_and_answers(world: World, clock: Any) -> None:
    found = start(world, attachments=[SimpleUploadedFile("bp.png", PNG)])
    nurse = world.client("nurse")
    inbox = nurse.get("/inbox/")
    assert b"Feeling dizzy" in inbox.content
    assert b"needs a reply" in inbox.content
    page = nurse.get(f"/messages/{found.pk}/")
    assert b"Since Monday" in page.content
    patient = world.client("patient")
    assert b"Read by the care team" in patient.get(f"/messages/{found.pk}/").content
    attachment = Post.objects.get(from_patient=True).attachments.get()
    file = patient.get(f"/messages/files/{attachment.pk}/")
    assert file["Content-Type"] == "image/png"
    assert b"".join(file.streaming_content) == PNG
    reply = nurse.post(f"/messages/{found.pk}/", {"step": "reply", "body": "Sit down; call us."})
    assert reply.status_code == 302
    found.refresh_from_db()
    assert found.waiting_for_staff is False
    notice = Message.objects.get(kind="staff_reply")
    assert "Sit down" not in notice.body  # the notice says a message waits, not what it says
    assert AccessLog.objects.filter(what="secure_message", patient_id=world.own_patient.pk,
                                    action="create").count() == 2  # fmt: skip


def test_who_may_see_a_conversation(world: World) -> None:
    found = start(world)
    assert world.client("front_desk").get(f"/messages/{found.pk}/").status_code == 403
    assert world.client("admin").get(f"/messages/{found.pk}/").status_code == 403
    assert world.client("other_clinic_nurse").get(f"/messages/{found.pk}/").status_code == 404
    assert world.client("front_desk").get("/inbox/").status_code == 403
    assert world.client("other_clinic_nurse").get("/inbox/").content.count(b"Feeling") == 0
    assert world.client("prescriber").get(f"/messages/{found.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([SimpleUploadedFile("notes.png", b"just text, not an image")], b"only images"),
        ([SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * (5 * 1024 * 1024))], b"larger than 5 MB"),
        ([SimpleUploadedFile(f"{n}.png", PNG) for n in range(4)], b"at most 3 files"),
    ],
)
def test_attachments_are_checked_by_what_they_are(
    world: World, files: list[Any], message: bytes
) -> None:
    answer = world.client("patient").post(
        "/me/messages/", {"subject": "Scan", "body": "Attached.", "attachments": files}
    )
    assert answer.status_code == 200
    assert message in answer.content
    assert not Thread.objects.exists()


def test_after_hours_the_patient_is_told_when_it_will_be_read_and_where_help_is(
    world: World, clock: Any
) -> None:
    clock.move_to(timezone.now().replace(hour=23, minute=0))
    found = start(world)
    automatic = Post.objects.get(thread=found, automatic=True)
    assert "next working day" in automatic.body
    assert world.clinic.crisis_phone in automatic.body


def test_assigning_and_closing_keep_to_the_version(world: World) -> None:
    found = start(world)
    nurse = world.client("nurse")
    me = str(world.users["nurse"].pk)
    seen = found.version  # a new message moves it on, as a change does
    nurse.post(f"/messages/{found.pk}/", {"step": "assign", "version": seen, "assigned_to": me})
    found.refresh_from_db()
    assert found.assigned_to == world.users["nurse"]
    stale = nurse.post(f"/messages/{found.pk}/", {"step": "close", "version": seen})
    assert b"someone changed this conversation first" in stale.content
    assert b"Feeling dizzy" in nurse.get("/inbox/?show=mine").content
    nurse.post(f"/messages/{found.pk}/", {"step": "close", "version": found.version})
    found.refresh_from_db()
    assert found.state == "closed"
    assert b"Feeling dizzy" in nurse.get("/inbox/?show=closed").content


def test_the_chart_lists_the_conversations(world: World) -> None:
    start(world)
    chart = world.client("nurse").get(f"/messages/patients/{world.own_patient.pk}/")
    assert b"Feeling dizzy" in chart.content
    assert (
        world.client("front_desk").get(f"/messages/patients/{world.own_patient.pk}/").status_code
        == 403
    )
    assert b"threads-h" in world.client("nurse").get(f"/patients/{world.own_patient.pk}/").content
