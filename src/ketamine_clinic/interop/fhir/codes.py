"""Code systems and codes of the FHIR export, in one place with their sources.

LOINC codes of vital signs follow the FHIR vital-signs profile (hl7.org/fhir/R4/
observation-vitalsigns.html); instrument panels and totals come from each instrument's
definition (clinical/instruments). What has no standard code gets one of ours, under a URN
that says whose it is.
"""

from __future__ import annotations

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY = "http://loinc.org"
ROUTE = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
# Our own codes: instruments without LOINC codes, session observations, products, MRNs.
LOCAL = "urn:ketamine-clinic"
LOCAL_INSTRUMENT = f"{LOCAL}:instrument"
LOCAL_PRODUCT = f"{LOCAL}:product"
LOCAL_ADVERSE_EVENT = f"{LOCAL}:adverse-event"
LOCAL_MRN = f"{LOCAL}:mrn"

# (LOINC code, display, UCUM unit)
SYSTOLIC = ("8480-6", "Systolic blood pressure", "mm[Hg]")
DIASTOLIC = ("8462-4", "Diastolic blood pressure", "mm[Hg]")
BLOOD_PRESSURE_PANEL = ("85354-9", "Blood pressure panel with all children optional", "")
HEART_RATE = ("8867-4", "Heart rate", "/min")
RESPIRATORY_RATE = ("9279-1", "Respiratory rate", "/min")
OXYGEN_SATURATION = ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%")
# Codes a profile requires beside the one we measure by: the R4 vital-signs profile's oxygen
# saturation is 2708-6 (hl7.org/fhir/R4/oxygensat.html); US Core Pulse Oximetry asks for both
# it and the pulse-oximetry code 59408-5.
ALSO_CODED = {"59408-5": (("2708-6", "Oxygen saturation in Arterial blood"),)}
BODY_WEIGHT = ("29463-7", "Body weight", "kg")
BODY_HEIGHT = ("8302-2", "Body height", "cm")
# LOINC answer codes of the PHQ frequency scale (0-3), as in the LOINC PHQ-9 and GAD-7 panels.
FREQUENCY_ANSWERS = {
    0: ("LA6568-5", "Not at all"),
    1: ("LA6569-3", "Several days"),
    2: ("LA6570-1", "More than half the days"),
    3: ("LA6571-9", "Nearly every day"),
}
# SNOMED CT routes of administration.
ROUTES = {
    "iv": ("47625008", "Intravenous route"),
    "im": ("78421000", "Intramuscular route"),
    "intranasal": ("46713006", "Nasal route"),
    "oral": ("26643006", "Oral route"),
    "sublingual": ("37839007", "Sublingual route"),
}

# RxNorm beside our own product codes, where the concept is certain: esketamine nasal spray is
# the clinical drug form 2201623 (SCDF "esketamine Nasal Spray", RxNorm 2026 release). Racemic
# ketamine's RxNorm drugs are per strength (ketamine 100 mg/mL injectable solution is 238083,
# as openFDA's NDC directory gives for a 100 mg/mL vial and no other strength): each stock
# product carries its own RxCUI, entered with it, which goes out in its place.
RXNORM_PRODUCTS = {"esketamine_nasal": ("2201623", "esketamine Nasal Spray")}
