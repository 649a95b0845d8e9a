"""FHIR import of patients and their PHQ-9/GAD-7 answers: a round trip gives the same clinical
content; an invalid bundle changes nothing and lists every problem; sending a bundle twice
creates nothing new; other systems' coding (LOINC link ids and answers) is understood."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments.models import Assessment, SafetyAlert
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.interop.models import ImportedRecord
from ketamine_clinic.patients.models import Patient
from tests.conftest import ApiClient, World

PHQ9_LINK_IDS = ["/44250-9", "/44255-8", "/44259-0", "/44254-1", "/44251-7", "/44258-2",
                 "/44252-5", "/44253-3", "/44260-8"]  # fmt: skip
LOINC_ANSWER = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def fhir(api: ApiClient, method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"headers": api.headers}
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/fhir+json"}
    return getattr(api.client, method)(f"/fhir/{path}", **kwargs)


def new_clinic_admin(name: str) -> ApiClient:
    clinic = Clinic.objects.create(name=name)
    user = User.objects.create_user(f"admin-{clinic.pk}", password="x" * 20)
    Membership.objects.create(user=user, clinic=clinic, role=Role.ADMIN)
    return ApiClient(user)


def everything(api: ApiClient, patient: Patient) -> dict[str, Any]:
    response = fhir(api, "get", f"Patient/{patient.pk}/$everything")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def of(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def clinical(bundle: dict[str, Any]) -> dict[str, Any]:
    """What must survive a round trip: who the patient is, and each PHQ-9/GAD-7 answered."""
    patient = of(bundle, "Patient")[0]
    responses = Counter(
        (
            r["questionnaire"].split("|")[0].rsplit(":", 1)[1],
            r["authored"],
            tuple((i["linkId"], json.dumps(i["answer"], sort_keys=True)) for i in r["item"]),
        )
        for r in of(bundle, "QuestionnaireResponse")
        if r["status"] == "completed"
        and r["questionnaire"].split("|")[0].endswith(("phq9", "gad7"))
    )
    totals = Counter(
        (o["code"]["coding"][0]["code"], o["effectiveDateTime"], o["valueInteger"])
        for o in of(bundle, "Observation")
        if "valueInteger" in o
        and o["code"]["coding"][0]["code"] in ("44261-6", "70274-6")
        and o["status"] == "final"
    )
    return {
        "patient": {
            k: patient.get(k) for k in ("name", "gender", "birthDate", "telecom", "address")
        },
        "responses": responses,
        "totals": totals,
    }


def test_a_round_trip_keeps_the_clinical_content(db: None) -> None:
    seed()
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    source = ApiClient(User.objects.get(username="drrivera"))
    first = everything(source, chen)
    target = new_clinic_admin("Lakeside")
    done = fhir(target, "post", "", first)
    assert done.status_code == 200, done.content
    summary = json.loads(done.content)["issue"][0]["diagnostics"]
    assert "patients: 1 created" in summary
    assert "QuestionnaireResponse (not a PHQ-9 or GAD-7)" in summary  # MADRS, QIDS, ...
    copy = Patient.objects.get(clinic__name="Lakeside")
    assert copy.mrn  # a number of the new clinic's own
    second = everything(target, copy)
    assert clinical(second) == clinical(first)
    assert clinical(first)["responses"]  # there was something to compare
    again = json.loads(fhir(target, "post", "", first).content)["issue"][0]["diagnostics"]
    assert "patients: 0 created, 1 already here" in again
    assert "responses: 0 created" in again
    assert Patient.objects.filter(clinic__name="Lakeside").count() == 1


def loinc_phq9(patient_id: str, answers: list[int], authored: str) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"qr-{authored[:10]}",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": "completed",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": authored,
        "item": [
            {"linkId": link, "answer": [{"valueCoding": {"system": "http://loinc.org",
                                                          "code": LOINC_ANSWER[v]}}]}
            for link, v in zip(PHQ9_LINK_IDS, answers, strict=True)
        ],
    }  # fmt: skip


def patient_entry(pid: str = "p1", **change: Any) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{pid}",
        "resource": {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [{"system": "https://other-ehr.example/mrn", "value": f"MRN-{pid}"}],
            "name": [{"family": "Okafor", "given": ["Ada"]}],
            "gender": "female",
            "birthDate": "1979-04-02",
            **change,
        },
    }


def test_another_systems_loinc_coded_phq9(world: World) -> None:
    recent = (timezone.now() - timedelta(days=1)).isoformat()
    old = (timezone.now() - timedelta(days=200)).isoformat()
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            patient_entry(),
            {"resource": loinc_phq9("p1", [2, 2, 1, 1, 1, 1, 0, 0, 1], recent)},
            {"resource": loinc_phq9("p1", [3, 3, 3, 3, 2, 2, 2, 2, 0], old)},
        ],
    }
    response = fhir(world.api("admin"), "post", "", bundle)
    assert response.status_code == 200, response.content
    imported = Assessment.objects.filter(patient__family_name="Okafor").order_by("administered_at")
    assert [a.total for a in imported] == [20, 9]
    assert {a.source for a in imported} == {"import"}
    # item 9 answered 1 a day ago raises an alert; the old response raises none
    assert SafetyAlert.objects.filter(patient__family_name="Okafor").count() == 1


def test_an_invalid_bundle_changes_nothing_and_lists_every_problem(world: World) -> None:
    before = (Patient.objects.count(), Assessment.objects.count())
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            patient_entry("p1"),
            patient_entry("p2", birthDate=None, name=[{"family": "Nobody"}]),
            {"resource": loinc_phq9("p1", [1] * 8 + [0], "2026-01-05T10:00:00+00:00")},
            {"resource": {**loinc_phq9("p1", [1] * 9, "2026-01-06T10:00:00+00:00"),
                          "item": loinc_phq9("p1", [1] * 9, "x")["item"][:5]}},
            {"resource": {**loinc_phq9("p9", [1] * 9, "2026-01-07T10:00:00+00:00"),
                          "id": "qr-other"}},
            {"resource": {**loinc_phq9("p1", [1] * 9, "2026-01-08T10:00:00+00:00"),
                          "id": "qr-madrs", "questionnaire": "urn:x:madrs"}},
        ],
    }  # fmt: skip
    bundle["entry"][1]["resource"].pop("birthDate")
    response = fhir(world.api("admin"), "post", "", bundle)
    assert response.status_code == 400, response.content
    problems = [i["diagnostics"] for i in json.loads(response.content)["issue"]]
    assert any("entry[1]: Patient.name needs a family and a given name" in p for p in problems)
    assert any("entry[1]: Patient.birthDate" in p for p in problems)
    assert any(p.startswith("entry[3]:") for p in problems)  # only 5 of 9 items
    assert any("(Patient/p9) is not in the bundle" in p for p in problems)
    assert (Patient.objects.count(), Assessment.objects.count()) == before
    assert not ImportedRecord.objects.exists()


def test_a_structurally_invalid_bundle_is_refused_with_its_errors(world: World) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [patient_entry(birthDate="02/04/1979", colour="blue")]}  # fmt: skip
    response = fhir(world.api("admin"), "post", "", bundle)
    assert response.status_code == 400
    problems = [i["diagnostics"] for i in json.loads(response.content)["issue"]]
    assert len(problems) >= 2  # both the date and the unknown element
    assert fhir(world.api("admin"), "post", "", {"resourceType": "Patient"}).status_code == 400
    assert world.api("admin").client.post(
        "/fhir/", data="{not json", content_type="application/fhir+json",
        headers=world.api("admin").headers,
    ).status_code == 400  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "status"),
    [("prescriber", 403), ("nurse", 403), ("front_desk", 403), ("patient", 403), (None, 401)],
)
def test_only_admins_import(world: World, persona: str | None, status: int) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [patient_entry()]}
    assert fhir(world.api(persona), "post", "", bundle).status_code == status
    assert not Patient.objects.filter(family_name="Okafor").exists()


def test_the_browser_session_needs_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [patient_entry()]}
    response = client.post("/fhir/", data=json.dumps(bundle), content_type="application/json")
    assert response.status_code == 403


def as_a_form_sends_it(patient_id: str, answers: list[int], authored: str) -> dict[str, Any]:
    """A PHQ-9 as real forms send it: the questions nested under the panel's group item, with
    the difficulty question (69722-7) and the form's own total (44261-6)."""
    flat = loinc_phq9(patient_id, answers, authored)
    difficulty = {
        "linkId": "/69722-7",
        "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6572-7"}}],
    }
    total = {"linkId": "/44261-6", "answer": [{"valueInteger": sum(answers)}]}
    panel = {"linkId": "/44249-1", "item": [*flat["item"], difficulty, total]}
    return {**flat, "item": [panel]}


def test_a_phq9_as_real_forms_send_it(world: World) -> None:
    recent = (timezone.now() - timedelta(days=30)).isoformat()
    named_only = patient_entry("p3", name=[{"text": "Ada Nneka Okafor"}])
    phq9 = as_a_form_sends_it("p3", [1] * 9, recent)
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [named_only, {"resource": phq9}]}  # fmt: skip
    response = fhir(world.api("admin"), "post", "", bundle)
    assert response.status_code == 200, response.content
    patient = Patient.objects.get(family_name="Okafor")
    assert patient.given_name == "Ada Nneka"  # name.text only: the last word is the family
    assert [a.total for a in Assessment.objects.filter(patient=patient)] == [9]


def test_a_total_that_disagrees_with_its_answers_is_named(world: World) -> None:
    recent = (timezone.now() - timedelta(days=30)).isoformat()
    response_ = as_a_form_sends_it("p1", [1] * 9, recent)
    response_["item"][0]["item"][-1]["answer"] = [{"valueInteger": 12}]
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [patient_entry(), {"resource": response_}]}  # fmt: skip
    answer = fhir(world.api("admin"), "post", "", bundle)
    assert answer.status_code == 400
    problems = [i["diagnostics"] for i in json.loads(answer.content)["issue"]]
    assert problems == ["entry[1]: its total (44261-6) says 12, but its answers add up to 9"]


def test_a_missing_answer_names_the_item_not_its_number(world: World) -> None:
    """The refusal once read "entry[1]: 9"."""
    incomplete = loinc_phq9("p1", [1] * 9, "2026-01-06T10:00:00+00:00")
    incomplete["item"] = incomplete["item"][:8]
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [patient_entry(), {"resource": incomplete}]}  # fmt: skip
    answer = fhir(world.api("admin"), "post", "", bundle)
    problems = [i["diagnostics"] for i in json.loads(answer.content)["issue"]]
    assert problems == [
        'entry[1]: item 9 (44260-8, "Thoughts that you would be better off…") is missing: '
        "every item must be answered"
    ]


def test_a_name_text_of_one_word_is_not_enough(world: World) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [patient_entry("p4", name=[{"text": "Okafor"}])]}  # fmt: skip
    answer = fhir(world.api("admin"), "post", "", bundle)
    assert answer.status_code == 400
    assert "needs a family and a given name" in answer.content.decode()
