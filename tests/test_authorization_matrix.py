"""Every endpoint x every role x own/other clinic, with the exact status expected.

The matrix is the specification of DESIGN.md's roles: front desk never sees clinical content,
patients see only themselves, and nobody sees another clinic's patients (404, not 403, so ids
cannot be probed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.patients import actions
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.records import RECORD_KINDS
from tests.conftest import World

ROLES = ("admin", "prescriber", "nurse", "front_desk", "patient", "other_clinic_nurse", None)

SAMPLE_RECORDS: dict[str, dict[str, Any]] = {
    "measurements": {
        "kind": "weight_kg",
        "value": "71.00",
        "measured_at": "2025-06-01T09:00:00+00:00",
    },
    "allergies": {"substance": "Latex", "severity": "mild"},
    "medications": {"name": "Sertraline", "dose": "100 mg daily"},
    "diagnoses": {"icd10_code": "F33.2", "text": "Major depressive disorder, recurrent, severe"},
    "treatment-history": {"kind": "psychotherapy", "name": "CBT", "sessions": 12},
}
UPDATES: dict[str, dict[str, Any]] = {
    "allergies": {"reaction": "rash"},
    "medications": {"dose": "150 mg daily"},
    "diagnoses": {"is_primary": True},
    "treatment-history": {"outcome": "partial"},
}


@dataclass(frozen=True)
class Target:
    """Which patient the request is about: one in clinic A, the caller's own, or clinic B's."""

    name: str
    pick: Callable[[World], Patient]


OTHER_IN_A = Target("clinic_a_patient", lambda w: w.patient)
OWN = Target("own_record", lambda w: w.own_patient)
IN_B = Target("clinic_b_patient", lambda w: w.other_patient)

# Expected status for clinic A's patient (not the caller's own), by role.
READ_DEMOGRAPHICS = {
    "admin": 200,
    "prescriber": 200,
    "nurse": 200,
    "front_desk": 200,
    "patient": 404,
}
EDIT_DEMOGRAPHICS = {
    "admin": 200,
    "prescriber": 200,
    "nurse": 200,
    "front_desk": 200,
    "patient": 404,
}
MARK_PATIENT = {"admin": 200, "prescriber": 200, "nurse": 403, "front_desk": 200, "patient": 404}
READ_CLINICAL = {"admin": 200, "prescriber": 200, "nurse": 200, "front_desk": 403, "patient": 404}
WRITE_CLINICAL = {"admin": 403, "prescriber": 201, "nurse": 201, "front_desk": 403, "patient": 404}
EDIT_CLINICAL = {"admin": 403, "prescriber": 200, "nurse": 200, "front_desk": 403, "patient": 404}
WRITE_DIAGNOSIS = {**WRITE_CLINICAL, "nurse": 403}
EDIT_DIAGNOSIS = {**EDIT_CLINICAL, "nurse": 403}
RECORD_RATING = {"admin": 403, "prescriber": 201, "nurse": 201, "front_desk": 403, "patient": 404}
SEND_LINK = {"admin": 403, "prescriber": 201, "nurse": 201, "front_desk": 201, "patient": 404}
# On the patient persona's own record.
OWN_RECORD = {
    "read": 200,
    "edit": 403,
    "mark": 403,
    "read_clinical": 200,
    "write": 403,
    "self_report": 201,
    "send_link": 403,
}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[World, Patient, dict[str, str]], str]
    body: Callable[[World, Patient, dict[str, str]], Any]
    expected: dict[str, int]
    own: str  # key into OWN_RECORD


def _patient_path(suffix: str = "") -> Callable[[World, Patient, dict[str, str]], str]:
    return lambda w, p, r: f"/patients/{p.pk}{suffix}"


def _version(p: Patient) -> int:
    return Patient.objects.get(pk=p.pk).version


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "get_patient", "GET", _patient_path(), lambda w, p, r: None, READ_DEMOGRAPHICS, "read"
    ),
    Endpoint(
        "patch_patient",
        "PATCH",
        _patient_path(),
        lambda w, p, r: {"version": _version(p), "phone": "+1 555 0100"},
        EDIT_DEMOGRAPHICS,
        "edit",
    ),
    Endpoint(
        "patient_entered_in_error",
        "POST",
        _patient_path("/entered-in-error"),
        lambda w, p, r: {"version": _version(p), "reason": "registered twice"},
        MARK_PATIENT,
        "mark",
    ),
]
for _segment, _kind in RECORD_KINDS.items():
    is_diagnosis = _segment == "diagnoses"
    ENDPOINTS += [
        Endpoint(
            f"list_{_segment}",
            "GET",
            _patient_path(f"/{_segment}"),
            lambda w, p, r: None,
            READ_CLINICAL,
            "read_clinical",
        ),
        Endpoint(
            f"create_{_segment}",
            "POST",
            _patient_path(f"/{_segment}"),
            lambda w, p, r, s=_segment: SAMPLE_RECORDS[s],
            WRITE_DIAGNOSIS if is_diagnosis else WRITE_CLINICAL,
            "write",
        ),
        Endpoint(
            f"{_segment}_entered_in_error",
            "POST",
            lambda w, p, r, s=_segment: f"/patients/{p.pk}/{s}/{r[s]}/entered-in-error",
            lambda w, p, r: {"version": 1, "reason": "wrong patient"},
            EDIT_DIAGNOSIS if is_diagnosis else EDIT_CLINICAL,
            "write",
        ),
    ]
    if _kind.update is not None:
        ENDPOINTS.append(
            Endpoint(
                f"update_{_segment}",
                "PATCH",
                lambda w, p, r, s=_segment: f"/patients/{p.pk}/{s}/{r[s]}",
                lambda w, p, r, s=_segment: {"version": 1, **UPDATES[s]},
                EDIT_DIAGNOSIS if is_diagnosis else EDIT_CLINICAL,
                "write",
            )
        )


PHQ9_BODY = {
    "instrument": "phq9",
    "items": {str(n): 1 for n in range(1, 10)} | {"9": 0},
    "administered_at": "2026-01-05T09:00:00+00:00",
    "context": "baseline",
}
ENDPOINTS += [
    Endpoint(
        "list_assessments",
        "GET",
        _patient_path("/assessments"),
        lambda w, p, r: None,
        READ_CLINICAL,
        "read_clinical",
    ),
    Endpoint(
        "create_assessment",
        "POST",
        _patient_path("/assessments"),
        lambda w, p, r: PHQ9_BODY,
        RECORD_RATING,
        "self_report",
    ),
    Endpoint(
        "assessment_in_error",
        "POST",
        lambda w, p, r: f"/patients/{p.pk}/assessments/{r['assessment']}/entered-in-error",
        lambda w, p, r: {"version": 1, "reason": "wrong patient"},
        {**RECORD_RATING, "prescriber": 200, "nurse": 200},
        "write",
    ),
    Endpoint(
        "patient_outcomes",
        "GET",
        _patient_path("/outcomes"),
        lambda w, p, r: None,
        READ_CLINICAL,
        "read_clinical",
    ),
    Endpoint(
        "create_link",
        "POST",
        _patient_path("/assessment-links"),
        lambda w, p, r: {"instrument": "phq9"},
        SEND_LINK,
        "send_link",
    ),
]

EVALUATION_BODY = {
    "evaluated_on": "2026-01-05",
    "diagnosis": "mdd",
    "product": "iv_racemic",
    "indication": "off_label",
    "episode_months": 18,
    "episode_severity": "severe",
    "systolic_mmhg": 120,
    "diastolic_mmhg": 80,
}
EVALUATE = {"admin": 403, "prescriber": 201, "nurse": 403, "front_desk": 403, "patient": 404}
EVALUATE_EDIT = {**EVALUATE, "prescriber": 200}
OWN_RECORD["evaluate"] = 403
ENDPOINTS += [
    Endpoint(
        "list_evaluations",
        "GET",
        _patient_path("/evaluations"),
        lambda w, p, r: None,
        READ_CLINICAL,
        "read_clinical",
    ),
    Endpoint(
        "create_evaluation",
        "POST",
        _patient_path("/evaluations"),
        lambda w, p, r: EVALUATION_BODY,
        EVALUATE,
        "evaluate",
    ),
    Endpoint(
        "eligibility",
        "GET",
        _patient_path("/eligibility"),
        lambda w, p, r: None,
        READ_CLINICAL,
        "read_clinical",
    ),
    Endpoint(
        "get_evaluation",
        "GET",
        lambda w, p, r: f"/evaluations/{r['evaluation']}",
        lambda w, p, r: None,
        READ_CLINICAL,
        "read_clinical",
    ),
    Endpoint(
        "patch_evaluation",
        "PATCH",
        lambda w, p, r: f"/evaluations/{r['evaluation']}",
        lambda w, p, r: {"version": 1, "narrative": "seen today"},
        EVALUATE_EDIT,
        "evaluate",
    ),
    Endpoint(
        "sign_evaluation",
        "POST",
        lambda w, p, r: f"/evaluations/{r['evaluation']}/sign",
        lambda w, p, r: {"version": 1},
        EVALUATE_EDIT,
        "evaluate",
    ),
    Endpoint(
        "amend",
        "POST",
        lambda w, p, r: f"/evaluations/{r['signed_evaluation']}/amend",
        lambda w, p, r: None,
        EVALUATE,
        "evaluate",
    ),
]

CONSENT_RECORD = {"admin": 403, "prescriber": 201, "nurse": 201, "front_desk": 403, "patient": 404}
CONSENT_WITHDRAW = {
    "admin": 403,
    "prescriber": 200,
    "nurse": 200,
    "front_desk": 403,
    "patient": 404,
}
REMS = {"admin": 403, "prescriber": 201, "nurse": 403, "front_desk": 403, "patient": 404}
OWN_RECORD["record_consent"] = 403
OWN_RECORD["withdraw"] = 200
ENDPOINTS += [
    Endpoint(
        "list_consents",
        "GET",
        _patient_path("/consents"),
        lambda w, p, r: None,
        READ_CLINICAL,
        "read_clinical",
    ),
    Endpoint(
        "sign_consent",
        "POST",
        _patient_path("/consents"),
        lambda w, p, r: {
            "document": r["document"],
            "signed_name": p.full_name,
            "signature_typed": p.full_name,
        },
        CONSENT_RECORD,
        "record_consent",
    ),
    Endpoint(
        "withdraw",
        "POST",
        lambda w, p, r: f"/consents/{r['consent']}/withdraw",
        lambda w, p, r: {"reason": "changed mind"},
        CONSENT_WITHDRAW,
        "withdraw",
    ),
    Endpoint(
        "consent_pdf",
        "GET",
        lambda w, p, r: f"/consents/{r['consent']}/consent.pdf",
        lambda w, p, r: None,
        READ_CLINICAL,
        "read_clinical",
    ),
    Endpoint(
        "rems_enrolment",
        "POST",
        _patient_path("/rems-enrolment"),
        lambda w, p, r: {
            "enrolled_on": "2026-01-05",
            "enrolment_id": "R-1234",
            "patient_signed": True,
        },
        REMS,
        "evaluate",
    ),
]

READ_NOTES = {"admin": 403, "prescriber": 200, "nurse": 200, "front_desk": 403, "patient": 404}
WRITE_NOTES = {**READ_NOTES, "prescriber": 201, "nurse": 201}
OWN_RECORD["notes"] = 403
ENDPOINTS += [
    Endpoint(
        "list_notes", "GET", _patient_path("/notes"), lambda w, p, r: None, READ_NOTES, "notes"
    ),
    Endpoint(
        "create_note",
        "POST",
        _patient_path("/notes"),
        lambda w, p, r: {"kind": "follow_up", "occurred_on": "2026-01-06"},
        WRITE_NOTES,
        "notes",
    ),
]


def _seed_records(world: World, patient: Patient) -> dict[str, str]:
    """One record of each kind on the target patient, so record-level endpoints have a target."""
    author = (
        world.users["prescriber"]
        if patient.clinic_id == world.clinic.pk
        else world.users["other_clinic_nurse"]
    )
    access = PatientAccess(patient, Role.PRESCRIBER)
    ids = {}
    for segment, kind in RECORD_KINDS.items():
        data = dict(SAMPLE_RECORDS[segment])
        if segment == "measurements":
            data["measured_at"] = datetime(2025, 6, 1, 9, tzinfo=UTC)
        record = actions.add_record(
            Actor(user=author, via="cli"),
            access,
            kind,
            kind.create.model_validate(data).model_dump(),
        )
        ids[segment] = str(record.pk)
    from ketamine_clinic.assessments import actions as assessment_actions
    from ketamine_clinic.clinical.instruments import BUILTIN

    recorded = assessment_actions.record_assessment(
        Actor(user=author, via="cli"),
        access,
        BUILTIN["phq9"],
        {str(n): 0 for n in range(1, 10)},
        datetime(2025, 6, 1, 9, tzinfo=UTC),
        "weekly",
    )
    ids["assessment"] = str(recorded.assessment.pk)
    from datetime import date

    from ketamine_clinic.evaluations import actions as evaluation_actions

    fields = {**EVALUATION_BODY, "evaluated_on": date(2026, 1, 5)}
    actor = Actor(user=author, via="cli")
    draft = evaluation_actions.create_evaluation(actor, access, fields)
    ids["evaluation"] = str(draft.pk)
    signed = evaluation_actions.create_evaluation(actor, access, fields)
    evaluation_actions.sign_evaluation(actor, access, signed, 1)
    ids["signed_evaluation"] = str(signed.pk)
    from ketamine_clinic.evaluations.consent import actions as consent_actions_actions
    from ketamine_clinic.evaluations.consent import queries as consent_actions_queries
    from ketamine_clinic.evaluations.consent.models import ConsentDocument

    document = consent_actions_queries.current_document(patient.clinic_id, "iv_racemic") or (
        consent_actions_actions.publish_document(
            actor,
            patient.clinic,
            "iv_racemic",
            "IV consent",
            "The text of the clinic's IV ketamine consent.",
        )
    )
    assert isinstance(document, ConsentDocument)
    ids["document"] = str(document.pk)
    signed_consent = consent_actions_actions.record_consent(
        actor, access, document, patient.full_name, signature_typed=patient.full_name
    )
    ids["consent"] = str(signed_consent.pk)
    return ids


def _expected(endpoint: Endpoint, role: str | None, target: Target) -> int:
    if role is None:
        return 401
    if role == "other_clinic_nurse":
        return 404 if target is not IN_B else _expected(endpoint, "nurse", OTHER_IN_A)
    if target is IN_B:
        return 404
    if role == "patient" and target is OWN:
        return OWN_RECORD[endpoint.own]
    return endpoint.expected[role]


CASES = [
    pytest.param(endpoint, role, target, id=f"{endpoint.name}-{role or 'anonymous'}-{target.name}")
    for endpoint in ENDPOINTS
    for role in ROLES
    for target in (OTHER_IN_A, OWN, IN_B)
    if not (target is OWN and role not in ("patient", None))
]


@pytest.mark.parametrize(("endpoint", "role", "target"), CASES)
def test_patient_endpoints(
    world: World, endpoint: Endpoint, role: str | None, target: Target
) -> None:
    patient = target.pick(world)
    records = _seed_records(world, patient)
    before = AccessLog.objects.count()
    response = world.api(role).request(
        endpoint.method,
        endpoint.path(world, patient, records),
        endpoint.body(world, patient, records),
    )
    expected = _expected(endpoint, role, target)
    assert response.status_code == expected, response.content
    if expected >= 400:
        # A refused request writes nothing to the chart and leaves no access-log row.
        assert AccessLog.objects.count() == before
    else:
        assert AccessLog.objects.count() == before + 1


LIST_EXPECTED = {
    "admin": 200,
    "prescriber": 200,
    "nurse": 200,
    "front_desk": 200,
    "patient": 403,
    "other_clinic_nurse": 200,
    None: 401,
}
CREATE_EXPECTED = {
    "admin": 201,
    "prescriber": 201,
    "nurse": 201,
    "front_desk": 201,
    "patient": 403,
    "other_clinic_nurse": 201,
    None: 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_list_patients(world: World, role: str | None) -> None:
    response = world.api(role).get("/patients")
    assert response.status_code == LIST_EXPECTED[role]
    if response.status_code == 200:
        ids = {p["id"] for p in response.json()["items"]}
        mine = world.other_clinic if role == "other_clinic_nurse" else world.clinic
        assert ids == {str(p.pk) for p in Patient.objects.filter(clinic=mine)}


@pytest.mark.parametrize("role", ROLES)
def test_create_patient(world: World, role: str | None) -> None:
    body = {
        "given_name": "New",
        "family_name": "Person",
        "birth_date": "1990-01-01",
        "sex": "other",
        "weight_kg": 80,
        "height_cm": 180,
    }
    assert world.api(role).post("/patients", body).status_code == CREATE_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_create_patient_in_another_clinic_is_404(world: World, role: str | None) -> None:
    body = {
        "given_name": "New",
        "family_name": "Person",
        "birth_date": "1990-01-01",
        "sex": "other",
        "weight_kg": 80,
        "height_cm": 180,
        "clinic": str(world.other_clinic.pk),
    }
    expected = {None: 401, "patient": 403, "other_clinic_nurse": 201}.get(role, 404)
    assert world.api(role).post("/patients", body).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_me(world: World, role: str | None) -> None:
    response = world.api(role).get("/me")
    assert response.status_code == (401 if role is None else 200)
    if role == "patient":
        assert response.json()["patient_id"] == str(world.own_patient.pk)


@pytest.mark.parametrize("role", ROLES)
def test_tokens_are_private_to_their_owner(world: World, role: str | None) -> None:
    from ketamine_clinic.accounts.authn import issue_token

    owner = "prescriber" if role != "prescriber" else "nurse"
    someone_elses = issue_token(world.users[owner], None).record
    api = world.api(role)
    listed = api.get("/auth/tokens")
    assert listed.status_code == (401 if role is None else 200)
    revoke = api.post(f"/auth/tokens/{someone_elses.pk}/revoke")
    assert revoke.status_code == (401 if role is None else 404)
    someone_elses.refresh_from_db()
    assert someone_elses.revoked_at is None


def test_every_api_route_is_in_the_matrix() -> None:
    """A new endpoint must be added to this matrix before it can ship."""
    from ketamine_clinic.api import api

    covered = {e.name for e in ENDPOINTS} | {
        "list_patients",
        "create_patient",
        "me",
        "list_tokens",
        "revoke",
        "create_token",
        # Not patient-scoped; tested by the role tests below.
        "list_instruments",
        "instrument_schema",
        "load_instrument",
        "list_alerts",
        "acknowledge",
        "list_documents",
        "publish",
        "templates",
        "patch_note",  # the author rules: test_note_edits_by_role below
        "sign_note",
        "list_protocols",  # tests/test_dosing_api.py::test_permissions
        "calculate",
        # Courses and the schedule: tests/treatment/test_courses.py, role by role.
        "list_courses",
        "create_course",
        "get_course",
        "new_order",
        "sign_order",
        "maintenance",
        "schedule",
        "move",
        "mark",
        "add_adjunct",  # tests/treatment/test_adjuncts.py
        "get_titration",  # tests/treatment/test_titration.py
        "decide",
        # Treatment sessions: tests/treatment_sessions/test_api.py, role by role.
        "open_session",
        "list_sessions",
        "get_session",
        "check_in",
        "checks",
        "pass_checks",
        "vitals",
        "doses",
        "observations",
        "adverse_events",
        "ready",
        "discharge",
        "abort",
        "rems_form",  # tests/treatment_sessions/test_rems.py
        "rems_form_pdf",
        "rems_submitted",
        "sign_session",
        "record_pdf",
        "rems_due",
        "follow_ups",
        "waste",
        # The ledger: tests/inventory/test_api.py, role by role.
        "products",
        "add_product",
        "lots",
        "receive",
        "transactions",
        "post_transaction",
        "post_count",
        "reconciliation_view",
        "loss_notice",
        "loss_form_106",
        "report",
        "post_transfer",  # tests/inventory/test_transfers.py
        "pk_simulate",  # tests/pk/test_api.py
        "clinic_outcomes",  # tests/interop/test_outcome_report.py
        "research_export",  # tests/interop/test_research_export.py
        "session_billing",  # tests/treatment_sessions/test_billing.py
        "superbill",
        "registration",
        "put_registration",
        # The calendar: tests/appointments/test_api.py, role by role.
        "list_places",
        "add_place",
        "change_place",
        "put_working_hours",
        "appointments_of_day",
        "free_slots",
        "appointments_of_patient",
        "book_appointment",
        "preview_series",
        "book_series",
        "move_appointment",
        "cancel_appointment",
        "mark_appointment",
        # Messages: tests/messaging/test_api.py, role by role.
        "get_preference",
        "put_preference",
        "patient_messages",
        "send_again",
        "clinic_messages",
        "sms_inbound",
        "sms_status",
        # Clinic protocols: tests/treatment/test_clinic_protocols.py, role by role.
        "copy_protocol",
        "protocol_versions",
        "revise_protocol",
        "retire_protocol",
    }
    routes = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                routes.add(operation.operation_id or operation.view_func.__name__)
    names = {
        r.removeprefix("ketamine_clinic_accounts_api_").removeprefix(
            "ketamine_clinic_patients_api_"
        )
        for r in routes
    }
    aliases = {
        "get_patient": "get_patient",
        "patch_patient": "patch_patient",
        "patient_in_error": "patient_entered_in_error",
    }
    names = {aliases.get(n, n).replace("treatment_history", "treatment-history") for n in names}
    assert names <= covered, names - covered


@pytest.mark.parametrize("role", ROLES)
def test_instrument_catalogue(world: World, role: str | None) -> None:
    api = world.api(role)
    expected = 401 if role is None else 200
    assert api.get("/instruments").status_code == expected
    assert api.get("/instruments/schema").status_code == expected
    other = api.get("/instruments", data={"clinic": str(world.other_clinic.pk)})
    assert other.status_code == {None: 401, "other_clinic_nurse": 200}.get(role, 404)


LOAD_EXPECTED = {None: 401, "admin": 201}
SCREENER = {
    "id": "screen",
    "version": "1",
    "name": "Screen",
    "short_name": "Screen",
    "respondent": "clinician",
    "items": [{"id": "q1", "text": "Q", "max": 1}],
}


@pytest.mark.parametrize("role", ROLES)
def test_load_instrument(world: World, role: str | None) -> None:
    response = world.api(role).post("/instruments", {"definition": SCREENER})
    assert response.status_code == LOAD_EXPECTED.get(role, 403)


ALERTS_EXPECTED = {None: 401, "front_desk": 403, "patient": 403}
ACK_EXPECTED = {None: 401, "prescriber": 200, "nurse": 200, "admin": 403, "front_desk": 403}


def _alert_in_clinic_a(world: World) -> str:
    from ketamine_clinic.assessments import actions as assessment_actions
    from ketamine_clinic.clinical.instruments import BUILTIN

    recorded = assessment_actions.record_assessment(
        Actor(user=world.users["nurse"], via="cli"),
        PatientAccess(world.patient, Role.NURSE),
        BUILTIN["phq9"],
        {str(n): 1 for n in range(1, 10)},
        datetime(2026, 1, 5, 9, tzinfo=UTC),
        "weekly",
    )
    return str(recorded.alerts[0].pk)


@pytest.mark.parametrize("role", ROLES)
def test_alerts(world: World, role: str | None) -> None:
    alert_id = _alert_in_clinic_a(world)
    api = world.api(role)
    listed = api.get("/alerts")
    assert listed.status_code == ALERTS_EXPECTED.get(role, 200)
    if listed.status_code == 200:
        ids = [a["id"] for a in listed.json()]
        assert (alert_id in ids) == (role != "other_clinic_nurse")
    ack = api.post(f"/alerts/{alert_id}/acknowledge", {"action_note": "called the patient"})
    assert ack.status_code == ACK_EXPECTED.get(role, 404)


@pytest.mark.parametrize("role", ROLES)
def test_consent_documents(world: World, role: str | None) -> None:
    api = world.api(role)
    assert api.get("/consent-documents").status_code == (401 if role is None else 200)
    body = {
        "product": "iv_racemic",
        "title": "IV consent",
        "body_markdown": "The consent text, at length.",
    }
    expected = {None: 401, "admin": 201, "prescriber": 201}.get(role, 403)
    assert api.post("/consent-documents", body).status_code == expected


NOTE_EDIT = {None: 401, "prescriber": 200, "nurse": 409, "admin": 403, "front_desk": 403}


@pytest.mark.parametrize("role", ROLES)
def test_note_edits_by_role(world: World, role: str | None) -> None:
    """Only the author edits or signs a draft; other roles are refused by role first."""
    note = (
        world.api("prescriber")
        .post(
            f"/patients/{world.patient.pk}/notes",
            {"kind": "other", "occurred_on": "2026-01-06", "body": "x"},
        )
        .json()
    )
    api = world.api(role)
    expected = NOTE_EDIT.get(role, 404)
    assert api.patch(f"/notes/{note['id']}", {"version": 1, "body": "y"}).status_code == expected
    assert (
        api.post(f"/notes/{note['id']}/sign", {"version": 2 if expected == 200 else 1}).status_code
        == expected
    )
    assert api.get("/note-templates").status_code == (401 if role is None else 200)
