"""A patient's clinical notes as the screen and the API read them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ketamine_clinic.evaluations.notes.models import ClinicalNote
from ketamine_clinic.patients.models import Patient


def notes_of(patient: Patient) -> QuerySet[ClinicalNote]:
    """Every note of the patient, with its author, in the model's order."""
    return ClinicalNote.objects.filter(patient=patient).select_related("created_by")


def therapy_notes(patient: Patient) -> QuerySet[ClinicalNote]:
    """The patient's psychotherapy and integration notes, not entered in error: what a
    course page shows beside the doses."""
    return ClinicalNote.objects.filter(
        patient=patient,
        kind__in=[ClinicalNote.Kind.PSYCHOTHERAPY, ClinicalNote.Kind.INTEGRATION],
        status="active",
    )


def note(note_id: Any) -> ClinicalNote | None:
    """A note of any patient: the caller checks who may see it."""
    return ClinicalNote.objects.filter(pk=note_id).first()


def note_of(patient: Patient, note_id: Any) -> ClinicalNote | None:
    """One of the patient's notes (None for another patient's, as for no note at all)."""
    return ClinicalNote.objects.filter(pk=note_id, patient=patient).first()
