"""Whom a message goes to and on which channel, with the consent basis; and the messages
screens and the API list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.appointments.queries import clinical_staff
from ketamine_clinic.messaging import rules
from ketamine_clinic.messaging.models import (
    Attachment,
    Channel,
    Message,
    Post,
    Preference,
    Thread,
)
from ketamine_clinic.patients.models import Patient

DEFAULT_BASIS = "contact details given to the clinic; no channel chosen yet"


@dataclass(frozen=True)
class Recipient:
    channel: str
    to: str
    basis: str


def preference(patient: Patient) -> Preference | None:
    return Preference.objects.filter(patient=patient).first()


def recipient(patient: Patient, purpose: str) -> tuple[Recipient | None, str]:
    """Where a patient's message of this purpose ("reminders" or "questionnaires") goes, or
    why it does not go at all."""
    if patient.in_error:
        return None, "the patient's record is marked entered in error"
    chosen = preference(patient)
    if chosen is not None and not getattr(chosen, purpose):
        return None, f"the patient asked for no {purpose}"
    channel = chosen.channel if chosen else (Channel.EMAIL if patient.email else Channel.SMS)
    basis = chosen.basis if chosen else DEFAULT_BASIS
    if channel == Channel.EMAIL:
        if chosen is not None and chosen.email_stopped_at:
            return None, "the patient stopped emails"
        if not patient.email:
            return None, "no email address on file"
        return Recipient(Channel.EMAIL, patient.email, basis), ""
    if chosen is not None and chosen.sms_stopped_at:
        return None, "the patient stopped text messages (STOP)"
    if not patient.phone:
        return None, "no phone number on file"
    return Recipient(Channel.SMS, patient.phone, basis), ""


def settings_of(clinic: Clinic) -> rules.Settings:
    return rules.settings_from(clinic.message_settings)


def message(message_id: Any) -> Message | None:
    """A message of any clinic: the caller checks who may see it."""
    return Message.objects.filter(pk=message_id).first()


def of_patient(patient: Patient) -> QuerySet[Message]:
    return Message.objects.filter(patient=patient).order_by("-due_at")


def of_clinic(clinic_id: Any, state: str | None = None) -> QuerySet[Message]:
    found = Message.objects.filter(clinic_id=clinic_id).select_related("patient")
    return found.filter(state=state) if state else found


def patients_with_phone(phone: str) -> QuerySet[Patient]:
    """Whoever a text from this number may come from (a STOP applies to each)."""
    return Patient.objects.filter(phone=phone)


def inbox(clinic_id: Any, show: str = "open", user: Any = None) -> QuerySet[Thread]:
    """The care team's triage inbox: open conversations, those waiting for a reply first;
    `show` is "open", "mine" (assigned to `user`), "unassigned" or "closed"."""
    found = Thread.objects.filter(clinic_id=clinic_id).select_related("patient", "assigned_to")
    if show == "closed":
        return found.filter(state=Thread.State.CLOSED)
    found = found.filter(state=Thread.State.OPEN)
    if show == "mine":
        found = found.filter(assigned_to=user)
    elif show == "unassigned":
        found = found.filter(assigned_to__isnull=True)
    return found.order_by("-waiting_for_staff", "-last_post_at")


def threads_of(patient: Patient) -> QuerySet[Thread]:
    return Thread.objects.filter(patient=patient).order_by("-last_post_at")


def thread(thread_id: Any) -> Thread | None:
    """A conversation of any clinic: the caller checks who may see it."""
    return Thread.objects.select_related("patient", "assigned_to").filter(pk=thread_id).first()


def posts(found: Thread) -> QuerySet[Post]:
    return (
        Post.objects.filter(thread=found)
        .select_related("author")
        .prefetch_related("attachments", "receipts__user")
    )


def attachment(attachment_id: Any) -> Attachment | None:
    return Attachment.objects.select_related("post__thread").filter(pk=attachment_id).first()


def unread_for(user: Any, clinic_id: Any) -> int:
    """Posts from patients in open conversations of the clinic the person has not read."""
    return (
        Post.objects.filter(thread__clinic_id=clinic_id, thread__state=Thread.State.OPEN,
                            from_patient=True)
        .exclude(receipts__user=user)
        .count()
    )  # fmt: skip


def care_team(clinic_id: Any) -> list[Any]:
    """The location's nurses and prescribers, who answer secure messages, by name."""
    return [user for user, _ in clinical_staff(clinic_id)]


def staff_member(clinic_id: Any, user_id: Any) -> Any:
    """One of the care team by id, or None."""
    return next((u for u in care_team(clinic_id) if str(u.pk) == str(user_id)), None)
