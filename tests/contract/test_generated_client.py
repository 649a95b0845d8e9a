"""A client generated from our OpenAPI schema, as a partner would make one
(openapi-python-client), reads every answer of the API: each read operation, called on the
demo clinic's records, answers 200 and the client parses it into its own models; the error
answers parse into the one Error shape; a write sends the client's own body models.

The generator is told to treat PDF and ZIP downloads as bytes (its documented
`content_type_overrides`), since it has no reader of its own for them."""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from ketamine_clinic.accounts.authn import issue_token
from ketamine_clinic.accounts.models import User
from ketamine_clinic.api import api
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.evaluations.consent.models import Consent
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.server.wsgi import application
from ketamine_clinic.treatment.models import Course
from ketamine_clinic.treatment_sessions.models import TreatmentSession

pytestmark = pytest.mark.once  # generates a package and seeds the demo: run once

BINARY = {"application/pdf": "application/octet-stream",
          "application/zip": "application/octet-stream"}  # fmt: skip


@pytest.fixture(scope="module")
def kc_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("generated")
    schema = out / "openapi.json"
    schema.write_text(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))
    config = out / "config.json"
    config.write_text(json.dumps({"content_type_overrides": BINARY}))
    tools = Path(sys.executable).parent  # the generator, and the ruff it formats its code with
    path = f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        [str(tools / "openapi-python-client"), "generate", "--path", str(schema), "--output-path",
         str(out / "kc_client"), "--meta", "none", "--config", str(config)],
        capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "PATH": path},
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    # Every operation and every model was generated: no warning, nothing left out.
    assert "Warning" not in said, said
    assert "Unable to" not in said, said
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("kc_client")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == "kc_client" or m.startswith("kc_client.")]:
            del sys.modules[name]


@pytest.fixture
def in_process() -> Iterator[None]:
    """Requests go to the WSGI app in this process; the test's database connection stays
    open across them, as Django's test client keeps it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def client_as(kc_client: ModuleType, username: str) -> Any:
    token = issue_token(User.objects.get(username=username), None).token
    return kc_client.AuthenticatedClient(
        base_url="http://testserver", token=token, raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=application)},
    )  # fmt: skip


def operations(kc_client: ModuleType) -> Iterator[tuple[str, ModuleType]]:
    package = importlib.import_module("kc_client.api")
    for group in pkgutil.iter_modules(package.__path__):
        tag = importlib.import_module(f"kc_client.api.{group.name}")
        for op in pkgutil.iter_modules(tag.__path__):
            yield op.name, importlib.import_module(f"kc_client.api.{group.name}.{op.name}")


def test_the_generated_client_reads_every_answer(
    kc_client: ModuleType, in_process: None, db: None
) -> None:
    seed()
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    session = (
        TreatmentSession.objects.filter(patient__clinic=chen.clinic, discharged_at__isnull=False)
        .order_by("-on")
        .first()
    )
    assert session is not None
    today = timezone.localdate()
    values: dict[str, Any] = {
        "patient_id": chen.pk,
        "session_id": session.pk,
        "course_id": Course.objects.filter(patient=chen).first().pk,  # type: ignore[union-attr]
        "consent_id": Consent.objects.filter(patient=chen).first().pk,  # type: ignore[union-attr]
        "evaluation_id": Evaluation.objects.filter(patient=chen).first().pk,  # type: ignore[union-attr]
        "key": "house-iv",  # the clinic's copy, made below
        "name": "usage-by-patient",
        "start": today - timedelta(days=180),
        "end": today,
        "on": today,
        "kind": "evaluation",  # a dose's free slots depend on its course
    }
    prescriber, owner = client_as(kc_client, "drrivera"), client_as(kc_client, "admin")
    from kc_client.api.protocols import copy_protocol
    from kc_client.models import ProtocolCopy

    copied = copy_protocol.sync_detailed(client=prescriber, body=ProtocolCopy(
        base="iv-racemic-standard", key="house-iv", name="House IV", reason="our chairs",
    ))  # fmt: skip
    assert copied.status_code == 201, copied.content
    read, failed = [], []
    for name, module in operations(kc_client):
        signature = inspect.signature(module.sync_detailed)
        if '"method": "get"' not in inspect.getsource(module._get_kwargs):
            continue
        wanted = {
            p.name: _value(p.annotation, values.get(p.name), kc_client)
            for p in signature.parameters.values()
            if p.name != "client" and p.default is inspect.Parameter.empty
        }
        answer = module.sync_detailed(client=prescriber, **wanted)
        if answer.status_code == 403:  # the owner's reports and books
            answer = module.sync_detailed(client=owner, **wanted)
        if answer.status_code != 200 or answer.parsed is None:
            failed.append((name, answer.status_code, answer.content[:200]))
            continue
        assert not isinstance(answer.parsed, kc_client.models.Error), name
        read.append(name)
    assert failed == []
    assert len(read) >= 50  # every read operation of the API


def _value(annotation: Any, value: Any, kc_client: ModuleType) -> Any:
    """A required parameter's value; an enumeration's as the client's own member."""
    kind = (
        annotation if isinstance(annotation, type) else getattr(kc_client.models, annotation, None)
    )
    if kind is not None and issubclass(kind, enum.Enum):
        return kind(value) if value is not None else next(iter(kind))
    assert value is not None, f"no value for a required parameter of type {annotation}"
    return value


def test_errors_and_writes_go_through_the_client_s_models(
    kc_client: ModuleType, in_process: None, db: None
) -> None:
    seed()
    from kc_client.api.assessments import create_assessment, list_assessments
    from kc_client.api.patients import create_patient, get_patient
    from kc_client.models import (
        AssessmentCreate,
        AssessmentCreateContext,
        AssessmentCreateItems,
        Error,
        PatientCreate,
        PatientCreateSex,
    )

    prescriber = client_as(kc_client, "drrivera")
    missing = get_patient.sync_detailed("00000000-0000-4000-8000-000000000000", client=prescriber)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, Error)
    made = create_patient.sync_detailed(client=prescriber, body=PatientCreate(
        given_name="Ada", family_name="Quill", birth_date=timezone.localdate().replace(year=1984),
        sex=PatientCreateSex.FEMALE, weight_kg="68.5", height_cm="170",
    ))  # fmt: skip
    assert made.status_code == 201, made.content
    patient_id = made.parsed.id
    items = AssessmentCreateItems.from_dict({str(n): 1 for n in range(1, 10)})
    body = AssessmentCreate(
        instrument="phq9", items=items, context=AssessmentCreateContext.WEEKLY,
        administered_at=timezone.now() - timedelta(minutes=5),
    )  # fmt: skip
    scored = create_assessment.sync_detailed(patient_id, client=prescriber, body=body)
    assert scored.status_code == 201, scored.content
    assert scored.parsed.total == 9
    assert Assessment.objects.filter(patient_id=patient_id).count() == 1
    listed = list_assessments.sync_detailed(patient_id, client=prescriber)
    assert [a.total for a in listed.parsed] == [9]
    bad = create_patient.sync_detailed(client=prescriber, body=PatientCreate(
        given_name="", family_name="Quill", birth_date=timezone.localdate(),
        sex=PatientCreateSex.FEMALE, weight_kg="68.5", height_cm="170",
    ))  # fmt: skip
    assert bad.status_code == 422
    assert isinstance(bad.parsed, Error)
