"""The background tasks (Django's tasks framework, run by `ketamine-clinic worker`)."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from django_tasks import task

from ketamine_clinic.messaging import delivery
from ketamine_clinic.messaging.models import Message

WORKER = f"{socket.gethostname()}:{os.getpid()}"


def enqueue(message: Message, when: datetime) -> None:
    """Queue the message's sending for `when` (the queue is the database's)."""
    send_message.using(run_after=when).enqueue(str(message.pk))


@task()
def send_message(message_id: str) -> str:
    return delivery.deliver(message_id, WORKER, enqueue)
