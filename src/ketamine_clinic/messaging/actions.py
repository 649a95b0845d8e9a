"""The writes a person makes to messaging: a patient's choice of channel (by the patient in
the portal or by staff as the patient asks), a STOP or START texted back, and sending an
interrupted message again. Each owns its transaction and its audit row."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.messaging import bounces, queries, rules, tasks
from ketamine_clinic.messaging.models import (
    Attachment,
    Channel,
    Message,
    Post,
    Preference,
    ReadReceipt,
    Thread,
)
from ketamine_clinic.patients.access import PatientAccess, record_patient_access

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})


def set_preference(
    actor: Actor,
    access: PatientAccess,
    *,
    channel: str,
    reminders: bool,
    questionnaires: bool,
    version: int | None,
) -> Preference:
    """Record how the patient wants to hear from the clinic; choosing a channel opts back in
    to it. `version` is the one the screen showed (None for the first choice)."""
    if channel not in Channel.values:
        raise InvalidInput("channel", "email or sms")
    patient = access.patient
    if channel == Channel.EMAIL and not patient.email:
        raise InvalidInput("channel", "no email address on file: add one first")
    if channel == Channel.SMS and not patient.phone:
        raise InvalidInput("channel", "no phone number on file: add one first")
    who = "the patient, in the portal" if access.role == Role.PATIENT else (
        f"{actor.user.get_username()} ({access.role}), as the patient asked"
    )  # fmt: skip
    basis = f"chosen by {who} on {date_format(timezone.localdate())}"
    with transaction.atomic():
        found = Preference.objects.select_for_update().filter(patient=patient).first()
        if found is None:
            if version is not None:
                raise Conflict("the choice you saw is gone: reload and try again")
            found = Preference(patient=patient)
        elif version != found.version:
            raise Conflict("someone changed this choice first: reload and try again")
        else:
            found.version += 1
        found.channel = channel
        found.reminders = reminders
        found.questionnaires = questionnaires
        found.basis = basis
        found.updated_at = timezone.now()
        if channel == Channel.SMS:
            found.sms_stopped_at = None
        else:
            found.email_stopped_at = None
        found.save()
        record_patient_access(actor, access, "update", "message_preference")
    return found


def text_received(phone: str, body: str, at: datetime | None = None) -> str:
    """A text from a patient's number: STOP stops texts to every chart with that number,
    START resumes them; anything else is left for the care team's inbox. Returns the word
    acted on, or ""."""
    word = body.strip().split()[0].upper() if body.strip() else ""
    if word not in STOP_WORDS | START_WORDS:
        return ""
    when = at or timezone.now()
    texted = f"texted {word} on {date_format(timezone.localtime(when).date())}"
    with transaction.atomic():
        for patient in queries.patients_with_phone(phone):
            found, _ = Preference.objects.select_for_update().get_or_create(
                patient=patient,
                defaults={"channel": Channel.SMS, "basis": texted},
            )
            found.sms_stopped_at = when if word in STOP_WORDS else None
            found.basis = texted
            found.version += 1
            found.updated_at = when
            found.save()
    return "STOP" if word in STOP_WORDS else "START"


def delivery_report(channel: str, provider_id: str, *, delivered: bool, why: str = "") -> bool:
    """A provider's word on a sent message: delivered, or not (a bounce, kept with the
    provider's reason). Email reports come from the mail server's bounce or the email
    provider's webhook, text reports from the SMS provider. Returns whether a message was
    found. A bounce outranks a delivery report that arrives after it."""
    if not provider_id:
        return False
    now = timezone.now()
    found = Message.objects.filter(provider_id=provider_id, channel=channel)
    if delivered:
        return bool(found.exclude(state=Message.State.BOUNCED).update(delivered_at=now)) or (
            found.exists()
        )
    return bool(found.update(state=Message.State.BOUNCED, bounced_at=now, last_error=why[:500]))


def bounce_received(raw: bytes) -> list[bounces.Report]:
    """A mail server's bounce for an email the clinic sent: each recipient it reports on is
    marked bounced (or delivered). Returns the reports that matched a message; mail that is
    not a bounce, or names no message of ours, changes nothing."""
    return [
        report
        for report in bounces.read(raw)
        if delivery_report(
            Channel.EMAIL,
            report.message_id,
            delivered=report.delivered,
            why=f"returned by the mail server: {report.why}",
        )
    ]


def send_again(actor: Actor, access: PatientAccess, message: Message) -> Message:
    """A message that failed or was interrupted goes again, as a new message (the first
    keeps its record)."""
    if message.state not in (Message.State.FAILED, Message.State.UNCONFIRMED):
        raise Conflict(
            f"only a failed or interrupted message is sent again (it is {message.state})"
        )
    values: dict[str, Any] = {
        f: getattr(message, f)
        for f in ("clinic_id", "patient_id", "user_id", "kind", "channel", "to", "subject",
                  "body", "about", "basis")
    }  # fmt: skip
    with transaction.atomic():
        again = Message.objects.create(
            key=f"{message.key}:again:{timezone.now().isoformat()}"[:200],
            due_at=timezone.now(),
            created_by=actor.user,
            **values,
        )
        record_patient_access(actor, access, "create", f"message.{message.kind} again")
        transaction.on_commit(lambda: tasks.enqueue(again, again.due_at))
    return again


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its name and its bytes."""

    name: str
    content: bytes


def _checked(files: list[Upload]) -> list[tuple[Upload, str]]:
    if len(files) > rules.MAX_ATTACHMENTS:
        raise InvalidInput("attachments", f"at most {rules.MAX_ATTACHMENTS} files")
    checked = []
    for n, upload in enumerate(files):
        if len(upload.content) > rules.MAX_ATTACHMENT_BYTES:
            raise InvalidInput(f"attachments[{n}]", "larger than 5 MB")
        content_type = rules.sniff(upload.content[:16])
        if content_type is None:
            raise InvalidInput(f"attachments[{n}]", "only images (PNG, JPEG) and PDFs")
        checked.append((upload, content_type))
    return checked


def _post(actor: Actor, access: PatientAccess, thread: Thread, body: str,
          files: list[tuple[Upload, str]]) -> Post:  # fmt: skip
    from_patient = access.role == Role.PATIENT
    post = Post.objects.create(thread=thread, author=actor.user, from_patient=from_patient,
                               body=body)  # fmt: skip
    for upload, content_type in files:
        attachment = Attachment(post=post, name=upload.name[:200] or "file",
                                content_type=content_type, size=len(upload.content),
                                sha256=hashlib.sha256(upload.content).hexdigest())  # fmt: skip
        attachment.file.save(f"{uuid.uuid4()}", ContentFile(upload.content), save=False)
        attachment.save()
    ReadReceipt.objects.create(post=post, user=actor.user)
    Thread.objects.filter(pk=thread.pk).update(
        last_post_at=post.created_at, waiting_for_staff=from_patient, version=F("version") + 1,
        state=Thread.State.OPEN,
    )  # fmt: skip
    if from_patient:
        _after_hours_reply(thread, access)
    else:
        _tell_the_patient(thread, access, actor)
    return post


def _body(body: str) -> str:
    text = body.strip()
    if not text:
        raise InvalidInput("body", "write a message")
    if len(text) > rules.MAX_POST_CHARS:
        raise InvalidInput("body", f"at most {rules.MAX_POST_CHARS} characters")
    return text


def start_thread(actor: Actor, access: PatientAccess, subject: str, body: str,
                 files: Sequence[Upload] = ()) -> Thread:  # fmt: skip
    """A new conversation, by the patient or by staff to the patient."""
    subject = subject.strip()
    if not 1 <= len(subject) <= 120:
        raise InvalidInput("subject", "1 to 120 characters")
    text, checked = _body(body), _checked(list(files))
    with transaction.atomic():
        thread = Thread.objects.create(clinic_id=access.patient.clinic_id, patient=access.patient,
                                       subject=subject, created_by=actor.user)  # fmt: skip
        _post(actor, access, thread, text, checked)
        record_patient_access(actor, access, "create", "secure_message")
    thread.refresh_from_db()
    return thread


def reply(actor: Actor, access: PatientAccess, thread: Thread, body: str,
          files: Sequence[Upload] = ()) -> Post:  # fmt: skip
    text, checked = _body(body), _checked(list(files))
    with transaction.atomic():
        post = _post(actor, access, thread, text, checked)
        record_patient_access(actor, access, "create", "secure_message")
    return post


def _after_hours_reply(thread: Thread, access: PatientAccess) -> None:
    """A patient writing when nobody reads: say when it will be read, and where help is now."""
    clinic = access.patient.clinic
    now = timezone.now()
    open_days = frozenset(clinic.open_weekdays or range(5))
    if not rules.after_hours(now, queries.settings_of(clinic), open_days,
                             timezone.get_current_timezone()):  # fmt: skip
        return
    Post.objects.create(
        thread=thread, author=thread.created_by, from_patient=False, automatic=True,
        body=(f"Thank you: your message reached {clinic.name} outside its working hours and "
              "will be read on the next working day. It is not watched in the meantime. In "
              f"crisis or thinking about harming yourself? {crisis_help(clinic)}"),
    )  # fmt: skip


def crisis_help(clinic: Any) -> str:
    """The clinic's crisis sentence, with its number when the sentence does not give it."""
    text = clinic.crisis_text.strip()
    return text if clinic.crisis_phone in text else f"Call {clinic.crisis_phone} now. {text}"


def _tell_the_patient(thread: Thread, access: PatientAccess, actor: Actor) -> None:
    """The care team wrote: the patient hears there is a message (never what it says)."""
    to, why = queries.recipient(access.patient, "reminders")
    clinic = access.patient.clinic
    link = settings.KC_PUBLIC_URL + reverse("messaging:threads")
    message = Message.objects.create(
        key=f"thread:{thread.pk}:{timezone.now().isoformat()}", clinic=clinic,
        patient=access.patient, kind=Message.Kind.STAFF_REPLY, channel=to.channel if to else "",
        to=to.to if to else "", subject=f"A new message from {clinic.name}",
        body=f"{clinic.name} has sent you a secure message. Read it in your portal: {link}",
        due_at=timezone.now(), basis=to.basis if to else "",
        state=Message.State.QUEUED if to else Message.State.CANCELLED, last_error=why,
        created_by=actor.user, about={"thread": str(thread.pk)},
    )  # fmt: skip
    if to is not None:
        transaction.on_commit(lambda: tasks.enqueue(message, message.due_at))


def assign(actor: Actor, access: PatientAccess, thread: Thread, version: int,
           user: User | None) -> Thread:  # fmt: skip
    if user is not None and user.membership_in(thread.clinic_id) is None:
        raise InvalidInput("assigned_to", "does not work at this location")
    return _change(actor, access, thread, version, {"assigned_to": user}, "secure_message.assign")


def close(actor: Actor, access: PatientAccess, thread: Thread, version: int) -> Thread:
    return _change(actor, access, thread, version,
                   {"state": Thread.State.CLOSED, "waiting_for_staff": False},
                   "secure_message.close")  # fmt: skip


def _change(actor: Actor, access: PatientAccess, thread: Thread, version: int,
            changes: dict[str, Any], what: str) -> Thread:  # fmt: skip
    with transaction.atomic():
        if not Thread.objects.filter(pk=thread.pk, version=version).update(
            version=version + 1, **changes
        ):
            raise Conflict("someone changed this conversation first: reload and try again")
        record_patient_access(actor, access, "update", what)
    thread.refresh_from_db()
    return thread


def mark_read(actor: Actor, thread: Thread) -> int:
    """Every post of the thread the reader had not read: a receipt each (the patient sees
    when the care team read their message)."""
    unread = Post.objects.filter(thread=thread).exclude(receipts__user=actor.user)
    made = 0
    for post in unread:
        _, created = ReadReceipt.objects.get_or_create(post=post, user=actor.user)
        made += created
    return made
