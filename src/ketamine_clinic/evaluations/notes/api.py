"""Clinical notes over the API."""

import uuid

from django.http import Http404, HttpRequest
from ninja import Router, Status

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.evaluations.notes import actions as notes
from ketamine_clinic.evaluations.notes import queries as notes_queries
from ketamine_clinic.evaluations.notes.models import ClinicalNote
from ketamine_clinic.evaluations.notes.outlines import TEMPLATES
from ketamine_clinic.evaluations.notes.schemas import (
    NoteCreate,
    NoteOut,
    NoteSign,
    NoteUpdate,
    TemplateOut,
)
from ketamine_clinic.patients.access import get_chart_record_for_user, get_patient_for_user

router = Router(tags=["notes"])


@router.get("/note-templates", response=list[TemplateOut], summary="Note templates")
def templates(request: HttpRequest) -> list[dict[str, str]]:
    request_user(request)
    return [{"kind": k, "title": t, "body": b} for k, (t, b) in TEMPLATES.items()]


@router.get("/patients/{patient_id}/notes", response=list[NoteOut], summary="A patient's notes")
def list_notes(request: HttpRequest, patient_id: uuid.UUID) -> list[ClinicalNote]:
    access = get_patient_for_user(request_user(request), patient_id, Capability.READ_NOTES)
    record_access(
        api_actor(request),
        action="read",
        what="notes",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return list(notes_queries.notes_of(access.patient))


@router.post("/patients/{patient_id}/notes", response={201: NoteOut}, summary="Write a note")
def create_note(request: HttpRequest, patient_id: uuid.UUID, payload: NoteCreate) -> Status:
    access = get_patient_for_user(request_user(request), patient_id, Capability.WRITE_NOTES)
    parent = None
    if payload.addendum_to is not None:
        parent = notes_queries.note_of(access.patient, payload.addendum_to)
        if parent is None:
            raise Http404("no such note")
    title, body = TEMPLATES[payload.kind]
    note = notes.write_note(
        api_actor(request),
        access,
        payload.kind,
        payload.title or title,
        payload.body if payload.body is not None else body,
        payload.occurred_on,
        parent,
    )
    return Status(201, note)


@router.patch("/notes/{note_id}", response=NoteOut, summary="Edit your draft note")
def patch_note(request: HttpRequest, note_id: uuid.UUID, payload: NoteUpdate) -> ClinicalNote:
    access, note = get_chart_record_for_user(
        request_user(request), ClinicalNote, note_id, Capability.WRITE_NOTES
    )
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    version = changes.pop("version")
    return notes.edit_note(api_actor(request), access, note, version, changes)


@router.post("/notes/{note_id}/sign", response=NoteOut, summary="Sign your note (then immutable)")
def sign_note(request: HttpRequest, note_id: uuid.UUID, payload: NoteSign) -> ClinicalNote:
    access, note = get_chart_record_for_user(
        request_user(request), ClinicalNote, note_id, Capability.WRITE_NOTES
    )
    return notes.sign_note(api_actor(request), access, note, payload.version)
