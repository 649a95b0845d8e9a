"""Sending one message, exactly once: a worker claims it (queued -> sending) in one UPDATE that
only one worker can win; it checks the message still applies (the appointment still at that
time, the patient not opted out) and the clinic's quiet hours; then sends, and records what
happened. A failure is retried with backoff and ends as "failed" with its reason; a worker
that dies mid-send leaves "sending", which `sweep` shows as interrupted and never resends."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.assessments.actions import create_link
from ketamine_clinic.assessments.catalogue import get_instrument
from ketamine_clinic.clinical.outcomes import FOLLOW_UP_LINKS
from ketamine_clinic.messaging import channels, content, queries, rules
from ketamine_clinic.messaging.models import Channel, Message
from ketamine_clinic.patients.access import PatientAccess

logger = logging.getLogger(__name__)
Enqueue = Callable[[Message, datetime], None]


def create_once(key: str, values: dict[str, Any], enqueue: Enqueue) -> bool:
    """Make the message with this key unless it exists (two workers planning at once make it
    once), and queue it if it may go. Returns whether this call made it."""
    if Message.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            message = Message.objects.create(key=key, **values)
    except IntegrityError:  # another worker made it a moment ago
        return False
    if message.state == Message.State.QUEUED:
        enqueue(message, message.due_at)
    return True


def existing(keys: list[str]) -> set[str]:
    """Which of these message keys are made already: one read for many, so that planning
    skips what is done without asking once per message."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(Message.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def claim(message_id: Any, worker: str) -> Message | None:
    """Take the message for this worker, or None if another has it or it is done."""
    now = timezone.now()
    won = Message.objects.filter(pk=message_id, state=Message.State.QUEUED).update(
        state=Message.State.SENDING, claimed_by=worker[:64], claimed_at=now,
        attempts=F("attempts") + 1,
    )  # fmt: skip
    return Message.objects.select_related("clinic", "patient").get(pk=message_id) if won else None


def _finish(message: Message, state: str, **fields: Any) -> None:
    Message.objects.filter(pk=message.pk).update(state=state, **fields)


def still_applies(message: Message) -> str:
    """Why the message no longer applies (empty: it does)."""
    about = message.about
    if "appointment" in about:
        found = Appointment.objects.filter(pk=about["appointment"]).first()
        if found is None or found.state != Appointment.State.BOOKED or found.in_error:
            return "the appointment is no longer booked"
        if found.starts_at.isoformat() != about.get("starts_at"):
            return "the appointment moved (a new message went for its new time)"
        if found.starts_at <= timezone.now():
            return "the appointment has begun"
    if message.patient is not None:
        purpose = "questionnaires" if message.kind == Message.Kind.QUESTIONNAIRE else "reminders"
        to, why = queries.recipient(message.patient, purpose)
        if to is None:
            return why
        if to.channel != message.channel or to.to != message.to:
            return "the patient changed how to reach them (it goes again the new way)"
    return ""


def _body(message: Message) -> tuple[str, str]:
    """The text as sent, and as kept (a fresh single-use link in place of [link])."""
    if content.LINK not in message.body:
        return message.body, message.body
    patient = message.patient
    assert patient is not None  # noqa: S101  # a link message is always to a patient
    context = message.about.get("context", "ad_hoc")
    hours = message.about.get("hours") or (
        FOLLOW_UP_LINKS[context][1] if context in FOLLOW_UP_LINKS else 72
    )
    author = message.created_by
    assert author is not None  # noqa: S101  # the planner names who caused it
    actor = Actor(user=author, via="worker")
    access = PatientAccess(patient, Role(author.role_in(patient.clinic_id) or Role.NURSE))
    instrument = get_instrument(patient.clinic_id, "phq9")
    raw, _ = create_link(actor, access, instrument, context, hours)
    return message.body.replace(content.LINK, content.link_url(raw)), message.body


def deliver(message_id: Any, worker: str, enqueue: Enqueue) -> str:
    """Send the message if it is this worker's to send; returns what became of it."""
    with transaction.atomic():
        message = claim(message_id, worker)
    if message is None:
        return "not queued"
    reason = still_applies(message)
    if reason:
        _finish(message, Message.State.CANCELLED, last_error=reason[:500])
        return "cancelled"
    now = timezone.now()
    later = rules.after_quiet_hours(now, queries.settings_of(message.clinic),
                                    timezone.get_current_timezone())  # fmt: skip
    if later > now:  # held until the quiet hours end; not an attempt
        _finish(message, Message.State.QUEUED, due_at=later, attempts=F("attempts") - 1)
        enqueue(message, later)
        return "held"
    try:
        sent, kept = _body(message)
        if message.channel == Channel.EMAIL:
            provider_id = channels.send_email(message.to, message.subject, sent, str(message.pk))
        else:
            provider_id = channels.send_sms(message.to, content.for_sms(sent))
    except channels.Permanent as exc:
        _finish(message, Message.State.FAILED, last_error=str(exc)[:500])
        return "failed"
    except Exception as exc:  # any fault of the provider or the network
        logger.warning("message %s: attempt %s failed: %s", message.pk, message.attempts, exc)
        retry = rules.retry_at(message.attempts, timezone.now())
        error = f"{type(exc).__name__}: {exc}"[:500]
        if retry is None:
            _finish(message, Message.State.FAILED, last_error=f"gave up: {error}"[:500])
            return "failed"
        _finish(message, Message.State.QUEUED, last_error=error, due_at=retry)
        enqueue(message, retry)
        return "retry"
    _finish(message, Message.State.SENT, sent_at=timezone.now(), provider_id=provider_id[:200],
            body=kept, last_error="")  # fmt: skip
    if message.created_by is not None:  # disclosed outside the clinic: in the access log
        record_access(
            Actor(user=message.created_by, via="worker"), action="export",
            what=f"message.{message.kind} {message.channel}", clinic=message.clinic_id,
            patient_id=message.patient_id,
        )  # fmt: skip
    return "sent"


def sweep(now: datetime) -> int:
    """Messages whose worker died mid-send: shown as interrupted, for staff to resend if the
    patient did not get it. Returns how many."""
    return Message.objects.filter(
        state=Message.State.SENDING, claimed_at__lt=now - rules.SEND_LEASE
    ).update(state=Message.State.UNCONFIRMED,
             last_error="the worker stopped while sending: it may not have arrived")  # fmt: skip
