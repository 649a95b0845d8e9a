"""A patient's clinical notes as the screen and the API read them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ketamine_clinic.evaluations.notes.models import ClinicalNote
from ketamine_clinic.patients.models import Patient


def notes_of(patient: Patient) -> QuerySet[ClinicalNote]:
    """Every note of the patient, with its author, in the model's order."""
    return ClinicalNote.objects.filter(patient=patient).select_related("created_by")


def note_of(patient: Patient, note_id: Any) -> ClinicalNote | None:
    """One of the patient's notes (None for another patient's, as for no note at all)."""
    return ClinicalNote.objects.filter(pk=note_id, patient=patient).first()
