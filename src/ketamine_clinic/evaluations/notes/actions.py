"""Writing clinical notes: drafts are edited, signed notes never change, addenda follow."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.common.errors import Conflict
from ketamine_clinic.evaluations.notes.models import ClinicalNote
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.records.versioning import save_changes, sign_once


def write_note(
    actor: Actor,
    access: PatientAccess,
    kind: str,
    title: str,
    body: str,
    occurred_on: date,
    addendum_to: ClinicalNote | None = None,
) -> ClinicalNote:
    if access.patient.in_error:
        raise Conflict("this patient is marked entered in error")
    if addendum_to is not None and not addendum_to.is_signed:
        raise Conflict("add to a draft by editing it; addenda follow signed notes")
    note = ClinicalNote(
        patient=access.patient,
        kind=kind,
        title=title,
        body=body,
        occurred_on=occurred_on,
        addendum_to=addendum_to,
        created_by=actor.user,
    )
    with transaction.atomic():
        note.attribute_to(actor.user)
        note.save(force_insert=True)
        record_patient_access(actor, access, "create", "note")
    return note


def edit_note(
    actor: Actor, access: PatientAccess, note: ClinicalNote, version: int, changes: dict[str, Any]
) -> ClinicalNote:
    if note.is_signed:
        raise Conflict("a signed note cannot be changed; write an addendum")
    if note.created_by_id != actor.user.pk:
        raise Conflict("only the author edits a draft note")
    with transaction.atomic():
        if ClinicalNote.objects.filter(pk=note.pk, signed_at__isnull=False).exists():
            raise Conflict("a signed note cannot be changed; write an addendum")
        updated = save_changes(note, version, changes, actor)
        record_patient_access(actor, access, "update", "note")
    return updated


def sign_note(
    actor: Actor, access: PatientAccess, note: ClinicalNote, version: int
) -> ClinicalNote:
    """The author signs; from then on the note is immutable."""
    if note.created_by_id != actor.user.pk:
        raise Conflict("only the author signs a note")
    now = timezone.now()
    with transaction.atomic():
        fresh = sign_once(
            note,
            version,
            actor,
            unsigned={"signed_at__isnull": True},
            signed={"signed_at": now, "signed_by": actor.user},
            noun="note",
            already="this note is already signed",
        )
        record_patient_access(actor, access, "update", "note.sign")
    return fresh
