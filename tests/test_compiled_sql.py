"""A compiled read returns exactly what the ORM's own queryset returns, on either database."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import django
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketamine_clinic.accounts.authn import issue_token
from ketamine_clinic.accounts.models import ApiToken, Membership, User, hash_token
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments.models import Assessment
from ketamine_clinic.patients.models import Allergy, BodyMeasurement, Patient
from ketamine_clinic.patients.records import RECORD_KINDS
from ketamine_clinic.server.compiled_sql import MARK, CompiledRead, rows_by
from tests.conftest import World


def _as_stored(rows: list[Any]) -> list[tuple[Any, ...]]:
    """Every column of every row, and how Django would save it back (state)."""
    return [
        (
            type(row),
            *(getattr(row, f.attname) for f in row._meta.concrete_fields),
            row._state.adding,
            row._state.db,
        )
        for row in rows
    ]


def _assessment(world: World, answers: Any, at: Any) -> Assessment:
    return Assessment.objects.create(
        patient=world.patient,
        created_by=world.users["nurse"],
        instrument_id="phq9",
        instrument_version="1",
        instrument_name="PHQ-9",
        answers=answers,
        total=7,
        flags=["item9_positive"],
        subscales={"somatic": 3, "note": None},
        administered_at=at,
        context="baseline",
    )


def test_the_same_rows_as_the_orm_in_the_same_order(world: World) -> None:
    nurse, patient = world.users["nurse"], world.patient
    now = timezone.now()
    for weight in ("71.25", "70.50"):
        BodyMeasurement.objects.create(
            patient=patient,
            created_by=nurse,
            kind="weight_kg",
            value=Decimal(weight),
            measured_at=now - timedelta(days=1),
        )
    Allergy.objects.create(patient=patient, created_by=nurse, substance="Penicillin")
    Allergy.objects.create(
        patient=patient,
        created_by=nurse,
        substance="Latex",
        reaction="rash, \"quoted\" 'text' ü",
        noted_on=date(2020, 2, 29),
    )
    _assessment(world, {"q1": 2, "list": [1, "x", None], "ü": True}, now)
    _assessment(world, [0, 1, 2, 3], now - timedelta(hours=1))
    models = [kind.model for kind in RECORD_KINDS.values()] + [Assessment]
    for model in models:
        expected = list(model._default_manager.filter(patient_id=patient.pk))
        assert _as_stored(rows_by(model, "patient_id")(patient)) == _as_stored(expected), model
    assessments = rows_by(Assessment, "patient_id")(patient.pk)
    assert [a.answers for a in assessments] == [
        a.answers for a in Assessment.objects.filter(patient=patient)
    ]
    assert any(a.answers == {"q1": 2, "list": [1, "x", None], "ü": True} for a in assessments)
    assert len(rows_by(BodyMeasurement, "patient_id")(patient)) == 4  # 2 at registration


def test_each_key_gets_its_own_rows_and_new_rows_are_seen(world: World) -> None:
    read = rows_by(Allergy, "patient_id")
    Allergy.objects.create(patient=world.patient, created_by=world.users["nurse"], substance="A")
    assert [a.substance for a in read(world.patient)] == ["A"]
    assert read(world.own_patient) == []
    assert read(world.other_patient) == []
    assert read(uuid.uuid4()) == []
    Allergy.objects.create(
        patient=world.own_patient, created_by=world.users["nurse"], substance="B"
    )
    assert [a.substance for a in read(str(world.own_patient.pk))] == ["B"]  # a key as text too
    assert [a.substance for a in read(world.patient.pk)] == ["A"]


def test_one_query_and_saved_rows_can_be_saved_again(world: World) -> None:
    read = rows_by(BodyMeasurement, "patient_id")
    read(world.patient)  # compiles
    with CaptureQueriesContext(connection) as queries:
        found = read(world.patient)
    assert len(queries) == 1
    assert (
        str(world.patient.pk.hex) in queries[0]["sql"]
        or str(world.patient.pk) in (queries[0]["sql"])
    )
    row = found[0]
    row.value = Decimal("72.00")
    row.save(update_fields=["value"])  # an UPDATE of a loaded row, not a second INSERT
    assert BodyMeasurement.objects.get(pk=row.pk).value == Decimal("72.00")


def test_unordered_reads_drop_the_models_ordering(world: World) -> None:
    ordered = rows_by(BodyMeasurement, "patient_id")
    unordered = rows_by(BodyMeasurement, "patient_id", ordered=False)
    assert sorted(r.pk for r in unordered(world.patient)) == sorted(
        r.pk for r in ordered(world.patient)
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda key: Allergy.objects.filter(patient_id=key).values("substance"),
        lambda key: Allergy.objects.filter(patient_id=key).only("substance"),
        lambda key: Allergy.objects.filter(patient_id=key).annotate(n=Count("id")),
        lambda key: Allergy.objects.filter(patient_id=key).prefetch_related("patient"),
        lambda key: Allergy.objects.all(),  # no key
        lambda key: Allergy.objects.filter(patient_id=key, created_by_id=key),  # key twice
    ],
)
def test_only_plain_single_key_reads_compile(world: World, build: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        CompiledRead(build)(world.patient)


def test_related_rows_come_with_the_row_as_select_related_brings_them(world: World) -> None:
    nurse = world.users["nurse"]
    Membership.objects.create(user=nurse, clinic=world.other_clinic, role=Role.NURSE)
    read = CompiledRead(lambda key: User.active_memberships_query(key).select_related("user"))
    expected = list(User.active_memberships_query(nurse.pk).select_related("user"))
    found = read(nurse)
    assert _as_stored(found) == _as_stored(expected)
    assert [m.clinic.name for m in found] == ["Clinic A", "Clinic B"]  # by the clinic's name
    with CaptureQueriesContext(connection) as queries:
        assert [(m.user.username, m.clinic.name) for m in found] == [
            ("nurse", "Clinic A"),
            ("nurse", "Clinic B"),
        ]
        assert _as_stored([found[0].user, found[1].clinic]) == _as_stored(
            [nurse, world.other_clinic]
        )
    assert not queries  # both came with the row
    deep = CompiledRead(
        lambda key: Allergy.objects.select_related("patient__clinic", "created_by").filter(pk=key)
    )
    allergy = Allergy.objects.create(patient=world.patient, created_by=nurse, substance="A")
    with CaptureQueriesContext(connection) as queries:
        again = deep.first(allergy)
        assert again is not None
        assert (again.patient.family_name, again.patient.clinic.name) == ("Walker", "Clinic A")
        assert again.created_by.username == "nurse"
    assert len(queries) == 1
    assert deep.first(uuid.uuid4()) is None


def test_text_keys(world: World) -> None:
    issued = issue_token(world.users["nurse"], None)
    read = CompiledRead(
        lambda key: ApiToken.objects.select_related("user").filter(key_hash=key), text=True
    )
    token = read.first(hash_token(issued.token))
    assert token is not None
    assert (token.pk, token.user.username) == (issued.record.pk, "nurse")
    assert read.first(hash_token(issued.token + "x")) is None
    assert read.first("' OR '1'='1") is None  # a parameter, never SQL
    with pytest.raises(TypeError):
        read(uuid.uuid4())
    with pytest.raises(ImproperlyConfigured):  # a text read whose key is a UUID field
        CompiledRead(lambda key: Allergy.objects.filter(patient_id=MARK, substance="x"), text=True)(
            "x"
        )


def test_a_key_that_is_not_a_uuid_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="badly formed"):
        rows_by(Patient, "clinic_id")("1; DROP TABLE patients_patient")
    assert isinstance(rows_by(Patient, "clinic_id")(world.clinic)[0], Model)


def test_the_private_orm_parts_it_reads_are_those_of_this_django() -> None:
    """A compiled read leans on parts of the ORM that Django does not promise to keep: the
    compiler's `select`, `klass_info` and `get_converters`, and `get_related_populators`.
    This fails on any other Django minor release, so that an upgrade rereads them and runs the
    tests above before this line changes."""
    from django.db.models import query

    assert django.VERSION[:2] == (5, 2), "recheck compiled_sql.py against this Django"
    assert callable(getattr(query, "get_related_populators", None))
    compiler = Allergy.objects.filter(patient_id=MARK).query.get_compiler(using="default")
    compiler.as_sql()
    assert {"select", "klass_info"} <= set(vars(compiler))
    assert callable(compiler.get_converters)
