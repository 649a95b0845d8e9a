"""A FHIR record as a person reads it: what kind of record, when, and what it says. The
screens show this beside the download, so an owner sees what leaves before sending it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

# Where each resource keeps its clinical time, in the order tried (FHIR R4 element names).
WHEN = (
    "effectiveDateTime", "authored", "authoredOn", "occurrenceDateTime", "recordedDate",
    "onsetDateTime", "date", "dateTime",
)  # fmt: skip
LABELS = {
    "AdverseEvent": "Adverse event",
    "AllergyIntolerance": "Allergy",
    "CarePlan": "Care plan",
    "MedicationAdministration": "Medication given",
    "MedicationRequest": "Medication order",
    "QuestionnaireResponse": "Questionnaire answers",
}


@dataclass(frozen=True)
class Line:
    kind: str
    when: str  # as FHIR wrote it (ISO 8601): sorts in time order
    what: str

    @property
    def shown(self) -> str:
        """The time as every screen writes it: "6 Dec 2026, 14:41" or "6 Dec 2026"."""
        try:  # a date alone ("2026-02-03") is a day, not midnight of it
            moment = parse_datetime(self.when) if "T" in self.when else None
        except ValueError:
            moment = None
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "DATETIME_FORMAT")
        day = parse_date(self.when[:10]) if len(self.when) >= 10 else None
        return date_format(day) if day else self.when


def _text(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    codings = concept.get("coding") or [{}]
    return str(concept.get("text") or codings[0].get("display") or codings[0].get("code") or "")


def _value(resource: dict[str, Any]) -> str:
    quantity = resource.get("valueQuantity")
    if quantity:
        return f"{quantity.get('value')} {quantity.get('unit', '')}".strip()
    for key in ("valueInteger", "valueString", "valueBoolean"):
        if key in resource:
            return str(resource[key])
    return ""


def describe(resource: dict[str, Any], instruments: dict[str, str] | None = None) -> Line:
    """One resource in words; `instruments` names the questionnaires (id to name)."""
    kind = resource["resourceType"]
    when = next((str(resource[k]) for k in WHEN if resource.get(k)), "")
    if not when and isinstance(resource.get("period"), dict):
        when = str(resource["period"].get("start", ""))
    if kind == "Patient":
        names = resource.get("name") or [{}]
        what = names[0].get("text") or " ".join(
            [*names[0].get("given", []), names[0].get("family", "")]
        )
    elif kind == "QuestionnaireResponse":
        # "urn:ketamine-clinic:instrument:phq9|2001" is the PHQ-9's answers.
        key = str(resource.get("questionnaire", "")).split("|")[0].rsplit(":", 1)[-1]
        name = (instruments or {}).get(key, key.upper())
        what = f"{name}, {len(resource.get('item') or [])} answers"
    else:
        what = (
            _text(resource.get("code"))
            or _text(resource.get("medicationCodeableConcept"))
            or _text((resource.get("category") or [None])[0])
            or _text(resource.get("event"))
            or str(resource.get("title") or resource.get("status") or "")
        )
    value = _value(resource)
    return Line(
        LABELS.get(kind, kind), when[:16].replace("T", " "), f"{what}: {value}" if value else what
    )


def summary(
    resources: list[dict[str, Any]], instruments: dict[str, str] | None = None
) -> tuple[list[tuple[str, int]], list[Line]]:
    """How many of each kind, and every record newest first (undated ones last)."""
    lines = [describe(r, instruments) for r in resources]
    counts = Counter(line.kind for line in lines)
    lines.sort(key=lambda line: line.when, reverse=True)
    return sorted(counts.items()), lines
