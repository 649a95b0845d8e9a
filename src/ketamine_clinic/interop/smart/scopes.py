"""SMART on FHIR scopes: what an app may read, and of whom.

SMART App Launch 2.0.0, "Scopes and Launch Context"
(hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
- `patient/Observation.rs` reads and searches the Observations of the patient in context;
- `user/Observation.rs` those of every patient the signed-in person may see;
- `.read`, the 1.0 spelling, means what `.rs` means; `*` stands for every resource type.

This server reads and searches, so it offers no write scope. A scope it does not offer is
left out of the grant, and the token's `scope` says what was granted, as the specification
lets a server do ("the app SHALL be prepared to receive fewer scopes").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from oauth2_provider.scopes import BaseScopes

from ketamine_clinic.interop.fhir.search import WHEN

TYPES = ("Patient", *sorted(WHEN))
# The launch context and the refresh token (App Launch 2.0.0, "Scopes for requesting
# context data" and "Scopes for requesting a refresh token").
LAUNCH = "launch"
LAUNCH_PATIENT = "launch/patient"
OFFLINE = "offline_access"
ONLINE = "online_access"
CONTEXT_SCOPES = {
    LAUNCH: "Open with the patient whose chart it was opened from",
    LAUNCH_PATIENT: "Open one patient's record (your own, if you are the patient)",
    OFFLINE: "Stay connected after you close it",
    ONLINE: "Stay connected while you are signed in",
}
_RESOURCE_SCOPE = re.compile(r"^(patient|user)/(\*|[A-Z][A-Za-z]+)\.(read|rs|r|s)$")
_WHOM = {"patient": "the patient it opens", "user": "every patient you may see"}
# What each type holds, in the words of the screens.
_NOUNS = {
    "*": "all records", "Patient": "details (name, birth date, contacts)",
    "Observation": "measurements and scores", "QuestionnaireResponse": "questionnaire answers",
    "Condition": "diagnoses", "AllergyIntolerance": "allergies",
    "Encounter": "treatment sessions", "MedicationRequest": "medication orders",
    "MedicationAdministration": "doses given", "Consent": "consents",
    "AdverseEvent": "adverse events", "CarePlan": "treatment courses",
}  # fmt: skip
_WHAT = {"read": "Read and search", "rs": "Read and search", "r": "Read", "s": "Search"}


@dataclass(frozen=True)
class Scope:
    """One resource scope: `patient/Observation.rs` is (patient, Observation, read, search)."""

    context: str  # "patient" or "user"
    kind: str  # a resource type, or "*"
    read: bool
    search: bool

    def allows(self, kind: str, interaction: str) -> bool:
        """`interaction` is "read" (by id) or "search"."""
        return self.kind in ("*", kind) and (self.read if interaction == "read" else self.search)


def parse(text: str) -> Scope | None:
    """A resource scope this server offers, or None (a context scope, or one it does not)."""
    match = _RESOURCE_SCOPE.match(text)
    if match is None or match.group(2) not in ("*", *TYPES):
        return None
    context, kind, perms = match.groups()
    perms = "rs" if perms == "read" else perms
    return Scope(context, kind, "r" in perms, "s" in perms)


@cache
def offered() -> dict[str, str]:
    """Every scope this server grants, with the words the consent screen shows for it."""
    found = dict(CONTEXT_SCOPES)
    for context in ("patient", "user"):
        for kind in ("*", *TYPES):
            noun = _NOUNS[kind]
            for perms in ("read", "rs", "r", "s"):
                found[f"{context}/{kind}.{perms}"] = f"{_WHAT[perms]} {noun} of {_WHOM[context]}"
    return found


def granted(asked: Iterable[str]) -> list[str]:
    """The scopes asked for that this server offers, in the order asked, once each."""
    known = offered()
    return list(dict.fromkeys(s for s in asked if s in known))


@dataclass(frozen=True)
class Grants:
    """What one token allows: its resource scopes, and the patient in context if any."""

    scopes: tuple[Scope, ...]
    patient_id: str | None

    @classmethod
    def of(cls, scope_text: str, patient_id: Any) -> Grants:
        found = tuple(s for s in map(parse, scope_text.split()) if s is not None)
        return cls(found, str(patient_id) if patient_id else None)

    def reach(self, kind: str, interaction: str) -> str | None:
        """ "user" if the app may do this for any patient its user may see, "patient" if for
        the patient in context only, None if not at all."""
        contexts = {s.context for s in self.scopes if s.allows(kind, interaction)}
        if "user" in contexts:
            return "user"
        if "patient" in contexts and self.patient_id:
            return "patient"
        return None

    def allows(self, kind: str, interaction: str, patient_id: Any) -> bool:
        """Whether this interaction on this type is granted for this patient."""
        reach = self.reach(kind, interaction)
        return reach == "user" or (reach == "patient" and str(patient_id) == self.patient_id)

    def needs_patient(self) -> bool:
        return any(s.context == "patient" for s in self.scopes)


class SmartScopes(BaseScopes):
    """django-oauth-toolkit's view of the scopes above."""

    def get_all_scopes(self) -> dict[str, str]:
        return offered()

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return list(offered())

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return []  # an app says what it needs; nothing is granted unasked
