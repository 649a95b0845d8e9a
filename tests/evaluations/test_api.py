"""Evaluations over the API: the decision from the recorded history, overrides, signing,
immutability, amendments and the evaluation gate."""

from __future__ import annotations

import http.server
import threading
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ketamine_clinic.evaluations.models import Evaluation
from tests.conftest import World
from tests.factories.images import png_data_url

BODY: dict[str, Any] = {
    "evaluated_on": "2026-01-05",
    "diagnosis": "mdd",
    "product": "iv_racemic",
    "indication": "off_label",
    "episode_months": 18,
    "episode_severity": "severe",
    "systolic_mmhg": 150,
    "diastolic_mmhg": 95,
}


def add_trials(world: World, *outcomes: str) -> None:
    api = world.api("prescriber")
    for n, outcome in enumerate(outcomes):
        response = api.post(
            f"/patients/{world.patient.pk}/treatment-history",
            {
                "kind": "antidepressant",
                "name": f"drug {n}",
                "duration_weeks": 8,
                "adequate": True,
                "outcome": outcome,
            },
        )
        assert response.status_code == 201


def create(world: World, **change: Any) -> Any:
    return world.api("prescriber").post(
        f"/patients/{world.patient.pk}/evaluations", {**BODY, **change}
    )


def test_decision_reads_the_recorded_history(world: World) -> None:
    one = create(world).json()
    assert one["decision"] == "not_eligible"
    assert {r["code"] for r in one["reasons"]} == {"trd_not_met", "blood_pressure_raised"}
    add_trials(world, "no_response", "partial", "no_response")
    again = world.api("prescriber").get(f"/evaluations/{one['id']}").json()
    assert again["decision"] == "eligible_with_precautions"
    assert again["trd"]["adequate_failures"] == 3
    assert again["trd"]["maudsley"]["total"] == 2 + 4 + 2
    reason = again["reasons"][0]
    assert reason["code"] == "blood_pressure_raised"
    assert "150/95" in reason["message"]
    assert reason["source"].startswith("Sanacora et al.")  # IV ketamine's own source


def test_absolute_contraindication_cannot_be_overridden(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    response = create(
        world,
        aneurysmal_vascular_disease=True,
        overrides={
            "aneurysmal_vascular_disease": {
                "basis": "informed_choice",
                "reason": "patient insists strongly",
            }
        },
    )
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "overrides.aneurysmal_vascular_disease"
    assert "cannot be overridden" in detail["msg"]
    assert Evaluation.objects.count() == 0


def test_relative_contraindication_overridden_with_a_reason(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    body = create(
        world,
        psychosis_history=True,
        systolic_mmhg=120,
        diastolic_mmhg=80,
        overrides={
            "psychosis_history": {
                "basis": "risk_controlled",
                "reason": "single steroid-induced episode in 2011",
            }
        },
    ).json()
    assert body["decision"] == "eligible_with_precautions"
    reason = body["reasons"][0]
    assert reason["overridden_by_reason"] == "single steroid-induced episode in 2011"
    assert reason["override_basis"] == "risk_controlled"
    assert reason["override_by"] == "prescriber"
    stored = body["overrides"]["psychosis_history"]
    assert stored["by"] == str(world.users["prescriber"].pk)
    assert stored["at"]


def test_an_override_needs_its_basis_and_a_written_reason(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    for override, field in (
        ("a bare reason without its basis", "basis"),
        ({"basis": "because", "reason": "a long enough reason"}, "basis"),
        ({"basis": "informed_choice", "reason": "short"}, "reason"),
    ):
        response = create(world, psychosis_history=True, overrides={"psychosis_history": override})
        assert response.status_code == 422, override
        assert response.json()["detail"][0]["loc"][-1] == field


def test_sign_freezes_the_evaluation_and_its_history(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    api = world.api("prescriber")
    draft = create(world).json()
    edited = api.patch(f"/evaluations/{draft['id']}", {"version": 1, "narrative": "Long history."})
    assert edited.status_code == 200
    stale = api.post(f"/evaluations/{draft['id']}/sign", {"version": 1})
    assert stale.status_code == 409
    signed = api.post(f"/evaluations/{draft['id']}/sign", {"version": 2}).json()
    assert signed["sign_status"] == "signed"
    assert signed["decision"] == "eligible_with_precautions"
    # Immutable: no edit, no second signature, and later history does not change it.
    assert (
        api.patch(f"/evaluations/{draft['id']}", {"version": 3, "narrative": "x"}).status_code
        == 409
    )
    assert api.post(f"/evaluations/{draft['id']}/sign", {"version": 3}).status_code == 409
    trial_id = api.get(f"/patients/{world.patient.pk}/treatment-history").json()[0]["id"]
    api.post(
        f"/patients/{world.patient.pk}/treatment-history/{trial_id}/entered-in-error",
        {"version": 1, "reason": "wrong patient"},
    )
    after = api.get(f"/evaluations/{draft['id']}").json()
    assert after["decision"] == "eligible_with_precautions"
    assert after["trd"]["adequate_failures"] == 2


def test_amendment_is_a_new_linked_draft(world: World) -> None:
    api = world.api("prescriber")
    draft = create(world).json()
    assert api.post(f"/evaluations/{draft['id']}/amend").status_code == 409  # not signed yet
    api.post(f"/evaluations/{draft['id']}/sign", {"version": 1})
    amendment = api.post(f"/evaluations/{draft['id']}/amend")
    assert amendment.status_code == 201
    body = amendment.json()
    assert body["amends"] == draft["id"]
    assert body["sign_status"] == "draft"
    assert body["diagnosis"] == "mdd"
    assert Evaluation.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"evaluated_on": "2999-01-01"}, "evaluated_on"),
        ({"diagnosis": "sad"}, "diagnosis"),
        ({"systolic_mmhg": 20}, "systolic_mmhg"),
        ({"medication_classes": ["aspirin"]}, "0"),
        ({"overrides": {"Bad Code": "x" * 20}}, "[key]"),
        ({"episode_months": -1}, "episode_months"),
    ],
)
def test_bad_input_names_the_field(world: World, change: dict[str, Any], field: str) -> None:
    response = create(world, **change)
    assert response.status_code == 422
    assert field in [str(e["loc"][-1]) for e in response.json()["detail"]]


CONSENT_TEXT = "You will receive ketamine by infusion over 40 minutes. Risks include ..."


def publish(world: World, product: str = "iv_racemic", text: str = CONSENT_TEXT) -> str:
    response = world.api("admin").post(
        "/consent-documents",
        {"product": product, "title": f"Consent {product}", "body_markdown": text},
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def sign_consent(world: World, document: str) -> Any:
    return world.api("nurse").post(
        f"/patients/{world.patient.pk}/consents",
        {"document": document, "signed_name": "james  WALKER", "signature_typed": "J. Walker"},
    )


def test_the_treatment_gate_says_exactly_what_is_missing(world: World) -> None:
    api = world.api("nurse")
    path = f"/patients/{world.patient.pk}/eligibility"
    assert api.get(path).json() == {
        "ready": False,
        "product": "iv_racemic",
        "missing": ["a signed evaluation", "an active signed consent for IV racemic ketamine"],
    }
    prescriber = world.api("prescriber")
    draft = create(world).json()
    prescriber.post(f"/evaluations/{draft['id']}/sign", {"version": 1})
    missing = api.get(path).json()["missing"]
    assert missing[0] == "an evaluation that is not 'not eligible' (the latest signed one is)"
    add_trials(world, "no_response", "no_response")
    amendment = prescriber.post(f"/evaluations/{draft['id']}/amend").json()
    prescriber.post(f"/evaluations/{amendment['id']}/sign", {"version": 1})
    assert api.get(path).json()["missing"] == ["an active signed consent for IV racemic ketamine"]
    consent = sign_consent(world, publish(world)).json()
    assert api.get(path).json() == {"ready": True, "product": "iv_racemic", "missing": []}
    esketamine = api.get(path, data={"product": "esketamine_nasal"}).json()
    assert esketamine["missing"] == [
        "an evaluation for esketamine nasal (the latest is for IV racemic ketamine)",
        "an active signed consent for Esketamine nasal spray",
        "REMS patient enrolment",
    ]
    # Withdrawing consent blocks the next dose at once.
    api.post(f"/consents/{consent['id']}/withdraw", {"reason": "changed her mind"})
    assert api.get(path).json()["missing"] == ["an active signed consent for IV racemic ketamine"]
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        stale = world.api("nurse").get(path).json()["missing"]  # a fresh token: the old expired
    assert stale[0].startswith("an evaluation from the last 365 days")


def test_require_treatment_gate_is_a_conflict_naming_what_is_missing(world: World) -> None:
    from ketamine_clinic.common.errors import Conflict
    from ketamine_clinic.evaluations.queries import require_treatment_gate

    with pytest.raises(
        Conflict, match="cannot treat yet: still needs a signed evaluation; an active"
    ):
        require_treatment_gate(world.patient, "iv_racemic", date(2026, 1, 10))


def test_consent_signature_rules(world: World) -> None:
    document = publish(world)
    api = world.api("nurse")
    base = f"/patients/{world.patient.pk}/consents"

    def refused(body: dict[str, Any]) -> dict[str, str]:
        response = api.post(base, {"document": document, **body})
        assert response.status_code == 422, response.content
        return {str(e["loc"][-1]): e["msg"] for e in response.json()["detail"]}

    assert (
        "James Walker"
        in refused({"signed_name": "Jim Walker", "signature_typed": "JW"})["signed_name"]
    )
    assert "either a typed or a drawn" in refused({"signed_name": "James Walker"})["signature"]
    both = {
        "signed_name": "James Walker",
        "signature_typed": "JW",
        "signature_image": "data:image/png;base64,AAAA",
    }
    assert "either" in refused(both)["signature"]
    assert (
        "PNG data URL"
        in refused(
            {"signed_name": "James Walker", "signature_image": "data:image/gif;base64,AAAA"}
        )["signature_image"]
    )
    assert (
        "not a PNG"
        in refused(
            {"signed_name": "James Walker", "signature_image": "data:image/png;base64,AAAA"}
        )["signature_image"]
    )
    import base64

    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()
    drawn = api.post(
        base, {"document": document, "signed_name": "James Walker", "signature_image": png}
    )
    assert drawn.status_code == 201
    assert drawn.json()["signature_kind"] == "drawn"
    assert drawn.json()["witness"] == str(world.users["nurse"].pk)
    assert drawn.json()["document_version"] == 1


def test_a_newer_document_version_must_be_the_one_signed(world: World) -> None:
    first = publish(world)
    second = publish(world)
    assert sign_consent(world, first).status_code == 409
    signed = sign_consent(world, second).json()
    assert signed["document_version"] == 2
    docs = world.api("patient").get("/consent-documents", data={"product": "iv_racemic"}).json()
    assert [d["version"] for d in docs] == [2]


def test_printing_a_consent_fetches_nothing_from_outside(world: World) -> None:
    """An image in a consent document's text is left out of the PDF, not requested: a
    document cannot make the server call a URL."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/logo.png"
        signed = sign_consent(world, publish(world, text=f"{CONSENT_TEXT}\n\n![logo]({url})"))
        pdf = world.api("prescriber").get(f"/consents/{signed.json()['id']}/consent.pdf")
    finally:
        server.shutdown()
    assert pdf.content.startswith(b"%PDF")
    assert asked == []


def test_patient_may_withdraw_their_own_consent(world: World) -> None:
    document = publish(world)
    signed = (
        world.api("nurse")
        .post(
            f"/patients/{world.own_patient.pk}/consents",
            {"document": document, "signed_name": "Mei Chen", "signature_typed": "Mei Chen"},
        )
        .json()
    )
    mine = world.api("patient").post(
        f"/consents/{signed['id']}/withdraw", {"reason": "I want to stop"}
    )
    assert mine.status_code == 200
    assert mine.json()["withdrawn_at"] is not None
    again = world.api("patient").post(f"/consents/{signed['id']}/withdraw", {"reason": "again"})
    assert again.status_code == 409


@pytest.mark.parametrize("kind", ["typed", "drawn"])
def test_signed_consent_pdf(world: World, kind: str) -> None:
    """Each kind of signature prints; a drawn one is in the PDF as its image."""
    document = publish(world)
    if kind == "typed":
        signed = sign_consent(world, document).json()
    else:
        signed = world.api("nurse").post(f"/patients/{world.patient.pk}/consents", {
            "document": document, "signed_name": "James Walker",
            "signature_image": png_data_url(),
        }).json()  # fmt: skip
    response = world.api("prescriber").get(f"/consents/{signed['id']}/consent.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (b"/Subtype /Image" in response.content) == (kind == "drawn")
    assert world.api("front_desk").get(f"/consents/{signed['id']}/consent.pdf").status_code == 403
    assert (
        world.api("other_clinic_nurse").get(f"/consents/{signed['id']}/consent.pdf").status_code
        == 404
    )


def test_consent_markdown_cannot_carry_html(world: World) -> None:
    from ketamine_clinic.common.markdown import render_markdown

    html = render_markdown("Hello <script>alert(1)</script> [x](javascript:alert(1)) **bold**")
    assert "<script>" not in html
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html


def test_rems_enrolment(world: World) -> None:
    api = world.api("prescriber")
    path = f"/patients/{world.patient.pk}/rems-enrolment"
    assert (
        api.post(
            path, {"enrolled_on": "2026-01-05", "enrolment_id": "R-12345", "patient_signed": False}
        ).status_code
        == 422
    )
    assert (
        api.post(
            path, {"enrolled_on": "2026-01-05", "enrolment_id": "bad id!", "patient_signed": True}
        ).status_code
        == 422
    )
    assert (
        api.post(
            path, {"enrolled_on": "2026-01-05", "enrolment_id": "R-12345", "patient_signed": True}
        ).status_code
        == 201
    )
    assert (
        world.api("nurse")
        .post(path, {"enrolled_on": "2026-01-05", "enrolment_id": "R-1", "patient_signed": True})
        .status_code
        == 403
    )


def test_chart_medicines_are_matched_and_frozen_when_signed(world: World) -> None:
    add_trials(world, "no_response", "no_response")
    api = world.api("prescriber")
    medicines = f"/patients/{world.patient.pk}/medications"
    assert api.post(medicines, {"name": "Lamotrigine 200 mg"}).status_code == 201
    draft = create(world).json()
    codes = {r["code"] for r in draft["reasons"]}
    assert "interaction_lamotrigine" in codes
    signed = api.post(f"/evaluations/{draft['id']}/sign", {"version": 1}).json()
    assert signed["sign_status"] == "signed"
    assert api.post(medicines, {"name": "phenelzine 15 mg"}).status_code == 201
    after = api.get(f"/evaluations/{draft['id']}").json()
    assert {r["code"] for r in after["reasons"]} == {r["code"] for r in signed["reasons"]}
    assert "interaction_maoi" not in {r["code"] for r in after["reasons"]}
    again = create(world).json()  # a new draft reads the chart as it is now
    assert "interaction_maoi" in {r["code"] for r in again["reasons"]}
