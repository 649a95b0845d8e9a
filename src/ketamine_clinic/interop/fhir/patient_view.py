"""What a patient reads of their own record through FHIR: what their portal shows them, no
more. The portal shows their details, the questionnaires they answer with their answers and
scores, and their consents (with the clinic and the care team those name); it does not show
vital signs, diagnoses, orders, doses given, sessions or adverse events, which their care
team reads with them. The same holds for their own app (SMART) and their own API token."""

from __future__ import annotations

from typing import Any

from ketamine_clinic.interop.fhir import codes
from ketamine_clinic.interop.fhir.search import codes_in

TYPES = frozenset(
    {"Patient", "Organization", "Practitioner", "Questionnaire", "QuestionnaireResponse",
     "Observation", "Consent"}
)  # fmt: skip


def shows(resource: dict[str, Any]) -> bool:
    """Whether the portal shows this resource to its patient. Of the Observations, only the
    questionnaires' scores (category `survey`) are theirs to read here."""
    kind = resource.get("resourceType")
    if kind not in TYPES:
        return False
    if kind != "Observation":
        return True
    return f"{codes.OBSERVATION_CATEGORY}|survey" in codes_in(*(resource.get("category") or []))
