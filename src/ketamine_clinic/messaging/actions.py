"""The writes a person makes to messaging: a patient's choice of channel (by the patient in
the portal or by staff as the patient asks), a STOP or START texted back, and sending an
interrupted message again. Each owns its transaction and its audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.messaging import queries, tasks
from ketamine_clinic.messaging.models import Channel, Message, Preference
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
    basis = f"chosen by {who} on {timezone.localdate().isoformat()}"
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
    with transaction.atomic():
        for patient in queries.patients_with_phone(phone):
            found, _ = Preference.objects.select_for_update().get_or_create(
                patient=patient,
                defaults={"channel": Channel.SMS, "basis": f"texted {word} on {when.date()}"},
            )
            found.sms_stopped_at = when if word in STOP_WORDS else None
            found.basis = f"texted {word} on {timezone.localtime(when).date().isoformat()}"
            found.version += 1
            found.updated_at = when
            found.save()
    return "STOP" if word in STOP_WORDS else "START"


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
            key=f"{message.key}:again:{timezone.now().isoformat()}"[:200], due_at=timezone.now(),
            created_by=actor.user, **values,
        )  # fmt: skip
        record_patient_access(actor, access, "create", f"message.{message.kind} again")
        transaction.on_commit(lambda: tasks.enqueue(again, again.due_at))
    return again
