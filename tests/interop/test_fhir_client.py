"""A FHIR client library, as a partner's system uses one, against the running server: it
reads the capability statement, reads a Patient, searches, and pages through every match by
the Bundle's links. The same access rules hold as in the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import (
    AuthorizationError,
    ForbiddenError,
    OperationOutcome,
    ResourceNotFound,
)

from ketamine_clinic.accounts.authn import issue_token
from ketamine_clinic.accounts.models import User
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.interop.fhir import search
from ketamine_clinic.interop.fhir.bundle import patient_resources
from ketamine_clinic.patients.models import Patient
from tests.conftest import World, register
from tests.factories.outcomes import phq9


def client_for(live_server: Any, world: World, persona: str) -> SyncFHIRClient:
    token = issue_token(world.users[persona], None).token
    return SyncFHIRClient(f"{live_server.url}/fhir", authorization=f"Bearer {token}")


def test_a_client_reads_searches_and_pages(live_server: Any, world: World) -> None:
    for n in range(5):  # seven patients in clinic A, to page through three at a time
        register(world.users["front_desk"], world.clinic, f"Ann{n}", "Baker")
    fhir = client_for(live_server, world, "prescriber")
    statement = fhir.execute("metadata", method="get")
    patient_support = statement["rest"][0]["resource"][0]
    assert patient_support["supportedProfile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
    ]
    read = fhir.reference("Patient", str(world.patient.pk)).to_resource()
    assert read["name"][0]["family"] == world.patient.family_name
    bakers = fhir.resources("Patient").search(family="Baker").limit(3)
    first = bakers.fetch()
    assert len(first) == 3
    every = bakers.fetch_all()  # follows the next links
    assert sorted(p["name"][0]["given"][0] for p in every) == [f"Ann{n}" for n in range(5)]
    assert fhir.resources("Patient").search(family="Baker").count() == 5
    in_clinic = {p["id"] for p in fhir.resources("Patient").limit(2).fetch_all()}
    assert in_clinic == {str(p.pk) for p in Patient.objects.filter(clinic=world.clinic)}
    assert str(world.other_patient.pk) not in in_clinic  # another clinic's patient


def test_search_by_birthdate_and_last_updated(live_server: Any, world: World) -> None:
    fhir = client_for(live_server, world, "nurse")
    born = world.patient.birth_date.isoformat()
    found = fhir.resources("Patient").search(birthdate=born).fetch()
    assert str(world.patient.pk) in {p["id"] for p in found}
    recent = fhir.resources("Patient").search(_lastUpdated="ge2000-01-01").fetch_all()
    assert len(recent) == 2
    assert fhir.resources("Patient").search(_lastUpdated="lt2000-01-01").fetch() == []
    with pytest.raises(OperationOutcome, match="birthdate"):
        fhir.resources("Patient").search(birthdate="last-tuesday").fetch()


def test_a_patient_s_app_sees_only_their_own_record(live_server: Any, world: World) -> None:
    fhir = client_for(live_server, world, "patient")
    mine = fhir.resources("Patient").fetch_all()
    assert [p["id"] for p in mine] == [str(world.own_patient.pk)]
    with pytest.raises(ResourceNotFound):
        fhir.reference("Patient", str(world.patient.pk)).to_resource()


def test_another_clinic_s_patient_is_not_found(live_server: Any, world: World) -> None:
    fhir = client_for(live_server, world, "other_clinic_nurse")
    with pytest.raises(ResourceNotFound):
        fhir.reference("Patient", str(world.patient.pk)).to_resource()


def test_a_client_searches_a_patient_s_observations(live_server: Any, world: World) -> None:
    phq9(world, world.patient, 10, 14)  # 50 days ago
    phq9(world, world.patient, 50, 6)  # 10 days ago
    fhir = client_for(live_server, world, "prescriber")
    patient = f"Patient/{world.patient.pk}"
    totals = fhir.resources("Observation").search(patient=patient, code="44261-6").fetch_all()
    assert sorted(o["valueInteger"] for o in totals) == [6, 14]
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    recent = fhir.resources("Observation").search(
        patient=patient, code="http://loinc.org|44261-6", date=f"ge{since}"
    )
    assert [o["valueInteger"] for o in recent.fetch_all()] == [6]
    surveys = fhir.resources("Observation").search(patient=patient, category="survey")
    assert len(surveys.limit(1).fetch_all()) == 2  # paged one at a time
    weights = fhir.resources("Observation").search(patient=patient, code="29463-7").fetch()
    assert weights[0]["valueQuantity"]["unit"] == "kg"
    answers = fhir.resources("QuestionnaireResponse").search(patient=patient).fetch_all()
    assert len(answers) == 2
    statement = fhir.execute("metadata", method="get")
    kinds = {r["type"] for r in statement["rest"][0]["resource"]}
    assert {"Observation", "QuestionnaireResponse", "Encounter", "Condition"} <= kinds


def test_a_clinical_search_keeps_the_api_s_rules(live_server: Any, world: World) -> None:
    patient = f"Patient/{world.patient.pk}"
    with pytest.raises(OperationOutcome, match="names its patient"):
        client_for(live_server, world, "prescriber").resources("Observation").fetch()
    with pytest.raises(ForbiddenError):  # the front desk does not read clinical records
        client_for(live_server, world, "front_desk").resources("Observation").search(
            patient=patient
        ).fetch()
    with pytest.raises(ResourceNotFound):
        client_for(live_server, world, "other_clinic_nurse").resources("Observation").search(
            patient=patient
        ).fetch()


def test_an_allergy_goes_out_as_allergy_intolerance(live_server: Any, world: World) -> None:
    api = world.api("prescriber")
    noted = {"substance": "Latex", "reaction": "Hives", "severity": "moderate",
             "noted_on": "2024-05-01"}  # fmt: skip
    assert api.post(f"/patients/{world.patient.pk}/allergies", noted).status_code == 201
    fhir = client_for(live_server, world, "nurse")
    patient = f"Patient/{world.patient.pk}"
    [allergy] = fhir.resources("AllergyIntolerance").search(patient=patient).fetch_all()
    assert allergy["code"]["text"] == "Latex"
    assert allergy["reaction"][0]["manifestation"][0]["text"] == "Hives"
    assert allergy["reaction"][0]["severity"] == "moderate"
    assert allergy["recordedDate"] == "2024-05-01"
    assert (
        fhir.resources("AllergyIntolerance").search(patient=patient, date="lt2024-01-01").fetch()
        == []
    )


def test_a_client_asks_for_what_changed(live_server: Any, world: World) -> None:
    phq9(world, world.patient, 10, 14)
    fhir = client_for(live_server, world, "prescriber")
    patient = f"Patient/{world.patient.pk}"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    changed = fhir.resources("Observation").search(patient=patient, _lastUpdated=f"ge{yesterday}")
    found = changed.fetch_all()
    assert found
    assert all(o["meta"]["lastUpdated"] >= yesterday for o in found)
    before = fhir.resources("Observation").search(patient=patient, _lastUpdated=f"lt{yesterday}")
    assert before.fetch() == []


def test_a_client_reads_each_record_by_its_id(live_server: Any, world: World) -> None:
    phq9(world, world.patient, 10, 14)
    noted = {"substance": "Latex", "noted_on": "2024-05-01"}
    world.api("prescriber").post(f"/patients/{world.patient.pk}/allergies", noted)
    fhir = client_for(live_server, world, "nurse")
    patient = f"Patient/{world.patient.pk}"
    read = 0
    for kind in ("Observation", "QuestionnaireResponse", "AllergyIntolerance"):
        for found in fhir.resources(kind).search(patient=patient).fetch_all():
            again = fhir.reference(kind, found["id"]).to_resource()
            assert again.serialize() == found.serialize()
            read += 1
    assert read >= 4  # a weight, a height, the score and its answers, the allergy
    outsider = client_for(live_server, world, "other_clinic_nurse")
    with pytest.raises(ResourceNotFound):
        outsider.reference("QuestionnaireResponse", found_id(fhir, patient)).to_resource()
    with pytest.raises(ResourceNotFound):
        fhir.reference("Observation", "not-an-id").to_resource()


def found_id(fhir: SyncFHIRClient, patient: str) -> str:
    return str(fhir.resources("QuestionnaireResponse").search(patient=patient).fetch()[0]["id"])


def test_the_new_routes_refuse_as_the_api_does(live_server: Any, world: World) -> None:
    """No login, a role that may not read the clinical record, another clinic, bad paging."""
    patient = f"Patient/{world.patient.pk}"
    anonymous = SyncFHIRClient(f"{live_server.url}/fhir")
    with pytest.raises(AuthorizationError):
        anonymous.resources("Patient").fetch()
    with pytest.raises(AuthorizationError):
        anonymous.reference("Patient", str(world.patient.pk)).to_resource()
    with pytest.raises(AuthorizationError):
        anonymous.resources("Observation").search(patient=patient).fetch()
    nurse = client_for(live_server, world, "nurse")
    weight_id = nurse.resources("Observation").search(patient=patient).fetch()[0]["id"]
    with pytest.raises(AuthorizationError):
        anonymous.reference("Observation", weight_id).to_resource()
    with pytest.raises(ForbiddenError):
        client_for(live_server, world, "front_desk").reference(
            "Observation", weight_id
        ).to_resource()
    with pytest.raises(ResourceNotFound):
        client_for(live_server, world, "other_clinic_nurse").reference(
            "Observation", weight_id
        ).to_resource()
    with pytest.raises(OperationOutcome, match="_count"):
        nurse.resources("Patient").search(_count="lots").fetch()
    with pytest.raises(OperationOutcome, match="_offset"):
        nurse.resources("Patient").search(_offset=str(2**63)).fetch()


@pytest.mark.once  # seeds the demo clinic
def test_a_client_searches_pages_and_reads_every_type(live_server: Any) -> None:
    """On the demo clinic, every resource type the server names: searched by patient, paged
    two at a time by the links to the same total, and each entry read again by its id."""
    seed()
    fhir = SyncFHIRClient(
        f"{live_server.url}/fhir",
        authorization=f"Bearer {issue_token(User.objects.get(username='drrivera'), None).token}",
    )
    clinic = Patient.objects.get(family_name="Chen", given_name="Mei").clinic
    held: dict[str, str] = {}  # a patient who has records of each type
    for patient in Patient.objects.filter(clinic=clinic).order_by("mrn"):
        for resource in patient_resources(patient):
            held.setdefault(resource["resourceType"], str(patient.pk))
        if set(search.WHEN) <= set(held):
            break
    assert set(search.WHEN) <= set(held), set(search.WHEN) - set(held)
    for kind in ("Patient", *search.WHEN):
        query = fhir.resources(kind).search(
            **({"_id": held[kind]} if kind == "Patient" else {"patient": f"Patient/{held[kind]}"})
        )
        total = query.count()
        paged = query.limit(2).fetch_all()
        assert len(paged) == total >= 1, kind
        for found in paged:
            assert fhir.reference(kind, found["id"]).to_resource().serialize() == found.serialize()
