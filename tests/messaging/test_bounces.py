"""An email that does not arrive is marked bounced, with the reason, whichever way the news
comes back: a mail server's bounce (a delivery status notification, piped to
`ketamine-clinic read_bounces`) or an email provider's tracking webhook (django-anymail)."""

from __future__ import annotations

import base64
import io
import json
import sys
from email.message import Message as Mail
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ketamine_clinic.messaging import bounces
from ketamine_clinic.messaging.models import Message
from tests.conftest import World
from tests.factories.mail import MailServer
from tests.factories.worker import run_worker
from tests.messaging.test_delivery import book


def dsn(original: str, action: str = "failed", status: str = "5.1.1",
        returned: str = "text/rfc822-headers") -> bytes:  # fmt: skip
    """A bounce as Postfix writes one: a multipart/report quoting the original's headers."""
    return (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: clinic@clinic-a.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; walker@example.org\r\nAction: {action}\r\n"
        f"Status: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <walker@example.org>: User unknown\r\n\r\n"
        f"--B\r\nContent-Type: {returned}\r\n\r\n{original}\r\n--B--\r\n"
    ).encode()


HEADERS = (
    "From: clinic@clinic-a.example\r\nTo: walker@example.org\r\n"
    "Message-ID: <m-1@clinic-a.example>\r\n"
)


@pytest.mark.parametrize("returned", ["text/rfc822-headers", "message/rfc822"])
def test_a_bounce_names_the_message_the_recipient_and_the_reason(returned: str) -> None:
    original = HEADERS + ("\r\nThe body.\r\n" if returned == "message/rfc822" else "")
    [report] = bounces.read(dsn(original, returned=returned))
    assert report == bounces.Report(
        "<m-1@clinic-a.example>", "walker@example.org", False,
        "5.1.1 550 5.1.1 <walker@example.org>: User unknown",
    )  # fmt: skip


def test_what_is_not_a_bounce_of_ours_reads_as_nothing() -> None:
    assert bounces.read(dsn(HEADERS, action="delayed", status="4.4.1")) == []  # still trying
    assert bounces.read(b"From: a@b.example\r\nSubject: hello\r\n\r\nA reply.\r\n") == []
    assert bounces.read(dsn("From: someone@else.example\r\n")) == []  # names no message
    assert bounces.read(b"") == []
    [went_on] = bounces.read(dsn(HEADERS, action="delivered", status="2.0.0"))
    assert (went_on.delivered, went_on.why) == (True, "")


def _sent(world: World, smtp: MailServer) -> tuple[Message, Mail]:
    book(world)
    run_worker()
    [message] = Message.objects.filter(channel="email", state="sent")
    [mail] = smtp.inbox.received
    return message, mail


@pytest.mark.django_db(transaction=True)
def test_a_mail_servers_bounce_piped_in_marks_the_email_bounced(
    world: World, smtp: MailServer, tmp_path: Path, monkeypatch: Any
) -> None:
    message, mail = _sent(world, smtp)
    assert message.provider_id == mail["Message-ID"]  # what a bounce will quote
    quoted = "".join(f"{k}: {v}\r\n" for k, v in mail.items())
    path = tmp_path / "bounce.eml"
    path.write_bytes(dsn(quoted))
    out = io.StringIO()
    call_command("read_bounces", str(path), stdout=out)
    assert "bounced (5.1.1" in out.getvalue()
    message.refresh_from_db()
    assert message.state == "bounced"
    assert message.bounced_at is not None
    assert message.last_error.startswith("returned by the mail server: 5.1.1 550")
    # The message log shows it; a patient's reply on stdin is read and changes nothing.
    log = world.api("front_desk").get(f"/patients/{world.patient.pk}/messages").json()
    assert [m["state"] for m in log if m["id"] == str(message.pk)] == ["bounced"]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Subject: thanks\r\n\r\nhi")))
    out = io.StringIO()
    call_command("read_bounces", stdout=out)
    assert out.getvalue() == "stdin: not a bounce of a message the clinic sent\n"


def _postmark(payload: dict[str, Any], secret: str | None) -> Any:
    headers = {}
    if secret:
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return Client().post("/webhooks/email/postmark/tracking/", json.dumps(payload),
                         content_type="application/json", headers=headers)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_email_providers_webhook_reports_bounces_and_deliveries(
    world: World, settings: Any
) -> None:
    """Through a provider's API (anymail's own test backend stands for it): the provider's
    message id is kept, and its signed webhook marks the message."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "kc:hook-secret"}
    book(world)
    run_worker()
    message = Message.objects.get(channel="email", state="sent")
    assert message.provider_id
    assert not message.provider_id.startswith("<")  # the provider's id, not our header
    bounce = {
        "RecordType": "Bounce", "Type": "HardBounce", "MessageID": message.provider_id,
        "Email": "walker@example.org", "Description": "The address does not exist",
        "Details": "smtp;550 5.1.1 unknown user", "BouncedAt": "2026-12-06T10:00:00Z",
    }  # fmt: skip
    # Without the secret, or with a wrong one, nothing changes.
    assert _postmark(bounce, None).status_code == 400
    assert _postmark(bounce, "kc:guess").status_code == 400
    message.refresh_from_db()
    assert message.state == "sent"
    assert _postmark(bounce, "kc:hook-secret").status_code == 200
    message.refresh_from_db()
    assert message.state == "bounced"
    assert message.last_error == "Postmark: bounced (smtp;550 5.1.1 unknown user)"
    # A delivery report that comes late does not hide the bounce.
    delivered = {
        "RecordType": "Delivery", "MessageID": message.provider_id,
        "Recipient": "walker@example.org", "DeliveredAt": "2026-12-06T10:01:00Z",
    }  # fmt: skip
    assert _postmark(delivered, "kc:hook-secret").status_code == 200
    message.refresh_from_db()
    assert (message.state, message.delivered_at) == ("bounced", None)


@pytest.mark.django_db(transaction=True)
def test_an_unset_webhook_secret_refuses_every_call(world: World) -> None:
    """No KC_EMAIL_WEBHOOK_SECRET: a random secret stands, so nothing is accepted unchecked."""
    assert _postmark({"RecordType": "Delivery", "MessageID": "x"}, "unset:").status_code == 400
