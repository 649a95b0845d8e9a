"""The US Core 6.1.0 profile each resource conforms to, named in its `meta.profile` and in the
CapabilityStatement's `supportedProfile`.

Each profile was checked against its mandatory elements (hl7.org/fhir/us/core/STU6.1/, the
profile pages' "Mandatory and Must Support Data Elements"); tests/interop/test_us_core.py
holds every resource we send to them:
- Patient: identifier (system and value), name, gender.
- Condition (problems and health concerns): category problem-list-item, code, subject.
- AllergyIntolerance: code, patient.
- Encounter: status, class, type, subject.
- MedicationRequest: status, intent, medication, subject, requester.
- CarePlan: text (status and narrative), status, intent, category assess-plan, subject.
- QuestionnaireResponse: questionnaire, status, subject, authored.
- Observation, screening assessment: status, category survey, code, subject.
- Observation, vital signs (blood pressure, heart rate, respiratory rate, pulse oximetry,
  body weight, body height): status, category vital-signs, the LOINC code the profile fixes,
  subject, effective time, a UCUM quantity (blood pressure: its two components).

MedicationAdministration, Consent and AdverseEvent have no US Core profile; they are plain
FHIR R4.
"""

from __future__ import annotations

from typing import Any

from ketamine_clinic.interop.fhir.search import codes_in

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"

BY_TYPE = {
    "Patient": "us-core-patient",
    "Condition": "us-core-condition-problems-health-concerns",
    "AllergyIntolerance": "us-core-allergyintolerance",
    "Encounter": "us-core-encounter",
    "MedicationRequest": "us-core-medicationrequest",
    "CarePlan": "us-core-careplan",
    "QuestionnaireResponse": "us-core-questionnaireresponse",
}
# Vital-sign Observations by the LOINC code each profile fixes.
VITAL_SIGNS = {
    "85354-9": "us-core-blood-pressure",
    "8867-4": "us-core-heart-rate",
    "9279-1": "us-core-respiratory-rate",
    "59408-5": "us-core-pulse-oximetry",
    "29463-7": "us-core-body-weight",
    "8302-2": "us-core-body-height",
}
SCREENING_ASSESSMENT = "us-core-observation-screening-assessment"


def of(resource: dict[str, Any]) -> str | None:
    """The US Core profile this resource is built to, or None."""
    kind = resource.get("resourceType")
    if kind != "Observation":
        name = BY_TYPE.get(str(kind))
        return US_CORE + name if name else None
    categories = codes_in(*(resource.get("category") or []))
    if "survey" in categories:
        return US_CORE + SCREENING_ASSESSMENT
    coded = codes_in(resource.get("code"))
    found = next((VITAL_SIGNS[c] for c in VITAL_SIGNS if c in coded), None)
    return US_CORE + found if found and "vital-signs" in categories else None


def supported(kind: str) -> list[str]:
    """Every US Core profile resources of this type are sent in (the CapabilityStatement)."""
    if kind == "Observation":
        return [US_CORE + p for p in (SCREENING_ASSESSMENT, *VITAL_SIGNS.values())]
    return [US_CORE + BY_TYPE[kind]] if kind in BY_TYPE else []


def declare(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with its profile named in `meta.profile` (as US Core servers do)."""
    profile = of(resource)
    if profile is not None:
        resource["meta"] = {**resource.get("meta", {}), "profile": [profile]}
    return resource
