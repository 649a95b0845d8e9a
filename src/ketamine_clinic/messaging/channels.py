"""The two ways out: email through Django's mail framework (SMTP, or any backend such as
django-anymail's), and text messages through a small pluggable backend (the console for
development and the demo, Twilio's REST API for production)."""

from __future__ import annotations

import base64
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Permanent(Exception):
    """The provider refused the message for good (a bad number, a blocked address): no retry."""


class NoEmail(BaseEmailBackend):
    """Production without KC_SMTP_HOST: every email fails visibly, naming the setting."""

    def send_messages(self, email_messages: Any) -> int:
        raise Permanent("email is not configured (KC_SMTP_HOST)")


def send_email(to: str, subject: str, body: str, message_id: str) -> str:
    """Send one email; returns the id a bounce will name: the provider's message id through
    django-anymail, otherwise the Message-ID header that a mail server's bounce quotes.
    Raises on failure."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    header = f"<{message_id}@{domain}>"
    email = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to],
                         headers={"Message-ID": header})  # fmt: skip
    if not email.send(fail_silently=False):
        raise RuntimeError("the mail server accepted no recipient")
    status = getattr(email, "anymail_status", None)
    return header if status is None or status.message_id is None else str(status.message_id)


class ConsoleSms:
    """Prints text messages (development and the demo)."""

    def send(self, to: str, body: str) -> str:
        sys.stdout.write(f"--- text message to {to} ---\n{body}\n---\n")
        sys.stdout.flush()
        return "console"


class TwilioSms:
    """Twilio's Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json with To, From and
    Body, authenticated with the account's SID and token. 4xx answers are permanent (a bad
    or blocked number); 5xx and network errors are retried."""

    def __init__(self) -> None:
        self.account = settings.KC_SMS_ACCOUNT
        self.token = settings.KC_SMS_TOKEN
        self.sender = settings.KC_SMS_FROM
        self.base = settings.KC_SMS_API.rstrip("/")

    def send(self, to: str, body: str) -> str:
        url = f"{self.base}/2010-04-01/Accounts/{self.account}/Messages.json"
        fields = {"To": to, "From": self.sender, "Body": body,
                  "StatusCallback": settings.KC_PUBLIC_URL + "/api/v1/sms/status"}  # fmt: skip
        data = urllib.parse.urlencode(fields).encode()
        auth = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310  # the URL is the configured provider's
            url, data=data, headers={"Authorization": f"Basic {auth}"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                return str(json.loads(response.read() or b"{}").get("sid", ""))
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500:
                raise Permanent(f"the SMS provider refused it ({exc.code})") from None
            raise


SMS_BACKENDS = {
    "console": "ketamine_clinic.messaging.channels.ConsoleSms",
    "twilio": "ketamine_clinic.messaging.channels.TwilioSms",
}


def send_sms(to: str, body: str) -> str:
    backend = import_string(SMS_BACKENDS[settings.KC_SMS_BACKEND])()
    return str(backend.send(to, body))
