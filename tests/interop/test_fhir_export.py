"""FHIR R4 export of one patient ($everything): every resource validates, codes are the
standard ones, a record entered in error goes out with that status, and only those who may
read the chart get it."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from ketamine_clinic.accounts.models import AccessLog, User
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.interop.fhir import codes, patient_view
from ketamine_clinic.interop.fhir.resources import InvalidResource, validated
from ketamine_clinic.inventory.models import Product
from ketamine_clinic.patients.models import Diagnosis, Patient
from ketamine_clinic.treatment_sessions.models import TreatmentSession
from tests.conftest import World


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def export(client: Client, patient: Patient) -> Any:
    return client.get(f"/fhir/Patient/{patient.pk}/$everything")


@pytest.fixture
def demo(db: None) -> dict[str, Any]:
    seed()
    client = Client()
    client.force_login(User.objects.get(username="drrivera"))
    return {"client": client}


def test_a_whole_record_validates(demo: dict[str, Any]) -> None:
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    response = export(demo["client"], chen)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    for kind in ("Patient", "Organization", "Practitioner", "Condition", "Observation",
                 "Questionnaire", "QuestionnaireResponse", "MedicationRequest", "CarePlan",
                 "Consent"):  # fmt: skip
        assert kinds[kind] >= 1, kind
    assert bundle["total"] == sum(1 for e in bundle["entry"] if e["search"]["mode"] == "match")
    patient = resources(bundle, "Patient")[0]
    assert patient["name"][0]["family"] == "Chen"
    phq9 = next(q for q in resources(bundle, "Questionnaire") if q["name"] == "PHQ9")
    assert phq9["code"][0]["code"] == "44249-1"
    totals = [o for o in resources(bundle, "Observation") if o["category"][0]["coding"][0]["code"]
              == "survey"]  # fmt: skip
    assert any(o["code"]["coding"][0]["code"] == "44261-6" for o in totals)
    response_items = resources(bundle, "QuestionnaireResponse")[0]["item"]
    assert response_items[0]["answer"][0]["valueCoding"]["system"] in (
        "http://loinc.org",
        "urn:ketamine-clinic:instrument:answer",
    )
    weights = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"]
               == "29463-7"]  # fmt: skip
    assert weights[0]["valueQuantity"]["code"] == "kg"
    references = {e["fullUrl"].split("/fhir/")[1] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        for ref in _references(entry["resource"]):
            kind = ref.split("/")[0]
            if kind in ("Patient", "Practitioner", "Organization", "QuestionnaireResponse"):
                assert ref in references, ref  # resolvable inside the bundle
    assert AccessLog.objects.filter(patient_id=chen.pk, what="fhir $everything").exists()


def test_a_session_exports_its_encounter_vitals_doses_and_events(demo: dict[str, Any]) -> None:
    session = TreatmentSession.objects.get()
    bundle = json.loads(export(demo["client"], session.patient).content)
    encounter = resources(bundle, "Encounter")[0]
    assert encounter["id"] == str(session.pk)
    given = resources(bundle, "MedicationAdministration")
    assert given
    assert given[0]["dosage"]["route"]["coding"][0]["code"] == "46713006"  # nasal
    rxnorm = given[0]["medicationCodeableConcept"]["coding"][0]
    assert (rxnorm["system"], rxnorm["code"]) == ("http://www.nlm.nih.gov/research/umls/rxnorm",
                                                  "2201623")  # fmt: skip
    assert given[0]["dosage"]["dose"]["unit"] == "mg"
    bp = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"]
          == "85354-9"]  # fmt: skip
    assert {c["code"]["coding"][0]["code"] for c in bp[0]["component"]} == {"8480-6", "8462-4"}
    assert all(o.get("encounter", {}).get("reference") == f"Encounter/{session.pk}" for o in bp)
    oximetry = [o for o in resources(bundle, "Observation")
                if "59408-5" in {c["code"] for c in o["code"]["coding"]}]  # fmt: skip
    assert oximetry
    # The R4 vital-signs profile's code (2708-6) beside the pulse-oximetry one (US Core).
    assert {c["code"] for c in oximetry[0]["code"]["coding"]} == {"2708-6", "59408-5"}


def test_entered_in_error_goes_out_with_that_status(world: World) -> None:
    diagnosis = Diagnosis.objects.create(
        patient=world.patient, icd10_code="F33.2", text="Recurrent depression, severe",
        created_by=world.users["prescriber"],
    )  # fmt: skip
    Diagnosis.objects.filter(pk=diagnosis.pk).update(
        status="entered_in_error", entered_in_error_reason="wrong patient"
    )
    bundle = json.loads(export(world.client("prescriber"), world.patient).content)
    condition = resources(bundle, "Condition")[0]
    assert condition["verificationStatus"]["coding"][0]["code"] == "entered-in-error"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 200), ("nurse", 200), ("front_desk", 403), ("patient", 404),
     ("other_clinic_nurse", 404)],
)  # fmt: skip
def test_who_may_export(world: World, persona: str, status: int) -> None:
    response = export(world.client(persona), world.patient)
    assert response.status_code == status
    if status != 200:
        assert json.loads(response.content)["resourceType"] == "OperationOutcome"


def test_tokens_work_and_strangers_are_refused(world: World) -> None:
    api = world.api("nurse")
    response = api.client.get(f"/fhir/Patient/{world.patient.pk}/$everything", headers=api.headers)
    assert response.status_code == 200
    anonymous = Client().get(f"/fhir/Patient/{world.patient.pk}/$everything")
    assert anonymous.status_code == 401
    assert json.loads(anonymous.content)["issue"][0]["code"] == "login"
    assert Client().get("/fhir/metadata").status_code == 200


def test_a_resource_that_does_not_validate_is_never_sent() -> None:
    with pytest.raises(InvalidResource):
        validated({"resourceType": "Patient", "id": "x", "birthDate": "the 3rd of May"})


def _references(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        if "reference" in value and isinstance(value["reference"], str):
            found.append(value["reference"])
        for item in value.values():
            found += _references(item)
    elif isinstance(value, list):
        for item in value:
            found += _references(item)
    return found


def test_a_patient_reads_through_fhir_what_their_portal_shows(demo: dict[str, Any]) -> None:
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    staff_view = json.loads(export(demo["client"], chen).content)
    vitals = [o for o in resources(staff_view, "Observation")
              if o["category"][0]["coding"][0]["code"] == "vital-signs"]  # fmt: skip
    assert vitals  # the care team reads them
    assert resources(staff_view, "MedicationRequest")
    own = Client()
    own.force_login(User.objects.get(username="meichen"))
    bundle = json.loads(export(own, chen).content)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds <= patient_view.TYPES
    assert {"Patient", "QuestionnaireResponse", "Observation", "Consent"} <= kinds
    assert {o["category"][0]["coding"][0]["code"] for o in resources(bundle, "Observation")} == {
        "survey"
    }
    assert bundle["total"] == sum(1 for e in bundle["entry"] if e["search"]["mode"] == "match")
    Bundle.model_validate(bundle)
    # Searching and reading by id hold to the same share.
    refused = own.get(f"/fhir/MedicationRequest?patient={chen.pk}")
    assert refused.status_code == 403
    assert "care team" in refused.json()["issue"][0]["diagnostics"]
    assert own.get(f"/fhir/Observation/{vitals[0]['id']}").status_code == 404
    assert demo["client"].get(f"/fhir/Observation/{vitals[0]['id']}").status_code == 200
    found = own.get(f"/fhir/Observation?patient={chen.pk}").json()
    assert found["total"] == len(resources(bundle, "Observation"))


def test_racemic_ketamine_goes_out_with_its_stock_product_s_rxcui(demo: dict[str, Any]) -> None:
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    before = json.loads(export(demo["client"], chen).content)
    racemic = [r for r in resources(before, "MedicationRequest")
               if r["medicationCodeableConcept"]["text"] == "ketamine (racemic)"]  # fmt: skip
    assert racemic
    assert all(  # no RxCUI entered: our code alone, never a guessed strength
        c["system"] != codes.RXNORM
        for r in racemic
        for c in r["medicationCodeableConcept"]["coding"]
    )
    Product.objects.filter(substance="ketamine").update(rxnorm="238083")  # as the clinic enters it
    after = json.loads(export(demo["client"], chen).content)
    ordered = [r for r in resources(after, "MedicationRequest")
               if r["medicationCodeableConcept"]["text"] == "ketamine (racemic)"]  # fmt: skip
    for request in ordered:
        assert request["medicationCodeableConcept"]["coding"][0] == {
            "system": codes.RXNORM,
            "code": "238083",
        }
