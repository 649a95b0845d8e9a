"""Every write to a patient's chart: each runs in one transaction and writes its audit row.

Edits name the version they change; a stale version is a Conflict and changes nothing.
Nothing is deleted: a mistaken record is marked entered in error, with who, when and why.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.errors import Conflict, InvalidInput
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import (
    BodyMeasurement,
    Patient,
    PatientRecord,
    RecordStatus,
    Versioned,
)
from ketamine_clinic.patients.records import RecordKind
from ketamine_clinic.patients.schemas import EDITABLE_PATIENT_FIELDS


def with_latest_measurements(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate the latest active weight (with its date) and height, in the same query."""

    def latest(kind: str, field: str) -> Subquery:
        return Subquery(
            BodyMeasurement.objects.filter(
                patient=OuterRef("pk"), kind=kind, status=RecordStatus.ACTIVE
            )
            .order_by("-measured_at")
            .values(field)[:1]
        )

    return patients.annotate(
        weight_kg=latest("weight_kg", "value"),
        weight_measured_at=latest("weight_kg", "measured_at"),
        height_cm=latest("height_cm", "value"),
    )


def note_latest_measurements(patient: Patient, measurements: list[BodyMeasurement]) -> None:
    """The same three values as `with_latest_measurements`, from the patient's measurements
    already read (the chart lists them all)."""
    latest: dict[str, BodyMeasurement] = {}
    for m in measurements:
        if m.status == RecordStatus.ACTIVE and (
            m.kind not in latest or m.measured_at > latest[m.kind].measured_at
        ):
            latest[m.kind] = m
    weight, height = latest.get("weight_kg"), latest.get("height_cm")
    patient.weight_kg = weight.value if weight else None  # type: ignore[attr-defined]
    patient.weight_measured_at = weight.measured_at if weight else None  # type: ignore[attr-defined]
    patient.height_cm = height.value if height else None  # type: ignore[attr-defined]


def find_duplicates(
    clinic: Clinic, given_name: str, family_name: str, birth_date: date
) -> QuerySet[Patient]:
    return Patient.objects.filter(
        clinic=clinic,
        given_name__iexact=given_name,
        family_name__iexact=family_name,
        birth_date=birth_date,
        status=RecordStatus.ACTIVE,
    )


def _next_mrn(clinic: Clinic) -> str:
    return f"{100001 + Patient.objects.filter(clinic=clinic).count():06d}"


def _check_mrn_free(clinic: Clinic, mrn: str, patient: Patient | None = None) -> None:
    clash = Patient.objects.filter(clinic=clinic, mrn__iexact=mrn)
    if patient is not None:
        clash = clash.exclude(pk=patient.pk)
    if clash.exists():
        raise InvalidInput("mrn", "is already used by another patient in this clinic")


def register_patient(actor: Actor, clinic: Clinic, data: dict[str, Any]) -> Patient:
    """Register a patient with their first weight and height measurements."""
    data = dict(data)
    weight_kg = data.pop("weight_kg")
    height_cm = data.pop("height_cm")
    confirmed = data.pop("confirm_not_duplicate", False)
    data.pop("clinic", None)
    with transaction.atomic():
        if not confirmed:
            duplicates = find_duplicates(
                clinic, data["given_name"], data["family_name"], data["birth_date"]
            )
            mrns = [p.mrn for p in duplicates]
            if mrns:
                raise Conflict(
                    "a patient with the same name and birth date is already registered "
                    f"(MRN {', '.join(mrns)}); send confirm_not_duplicate=true if this is "
                    "a different person"
                )
        if data.get("mrn"):
            _check_mrn_free(clinic, data["mrn"])
        patient = insert_patient(actor, clinic, data)
        now = timezone.now()
        for kind, value in (("weight_kg", weight_kg), ("height_cm", height_cm)):
            measurement = BodyMeasurement(
                patient=patient, kind=kind, value=value, measured_at=now, created_by=actor.user
            )
            measurement.attribute_to(actor.user)
            measurement.save()
        record_access(
            actor,
            action="create",
            what="patient",
            clinic=clinic,
            patient_id=patient.pk,
            role=actor.user.role_in(clinic.pk),
        )
    return patient


def insert_patient(actor: Actor, clinic: Clinic, data: dict[str, Any]) -> Patient:
    """Insert, assigning the next MRN when none was given; a concurrent registration that
    takes the same number makes us try the next one."""
    for _attempt in range(5):
        patient = Patient(clinic=clinic, created_by=actor.user, **data)
        if not data.get("mrn"):
            patient.mrn = _next_mrn(clinic)
            while Patient.objects.filter(clinic=clinic, mrn=patient.mrn).exists():
                patient.mrn = f"{int(patient.mrn) + 1:06d}"
        patient.attribute_to(actor.user)
        try:
            with transaction.atomic():
                patient.save(force_insert=True)
        except IntegrityError:
            if data.get("mrn"):
                raise InvalidInput(
                    "mrn", "is already used by another patient in this clinic"
                ) from None
            continue
        return patient
    raise Conflict("could not assign a medical record number; try again")


def claim(obj: Versioned, version: int) -> Versioned:
    """Bump the version only if it is still the one the editor saw: one conditional UPDATE,
    atomic on SQLite and PostgreSQL alike, so of two concurrent writes based on the same
    version exactly one wins and the other gets a Conflict. Returns the record as it now
    stands (read again only if the caller's copy is not the version it named)."""
    model = type(obj)
    if obj.in_error:
        raise Conflict("this record is marked entered in error and cannot be changed")
    now = timezone.now()
    bumped = model._default_manager.filter(
        pk=obj.pk, version=version, status=RecordStatus.ACTIVE
    ).update(version=F("version") + 1, updated_at=now)
    if not bumped:
        current = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        raise Conflict(
            f"this record was changed by someone else (you edited version {version}, it is now "
            f"version {current}); reload it and make your change again"
        )
    if obj.version != version:  # read before someone else's write that the editor has seen
        return model._default_manager.get(pk=obj.pk)
    # Every write of a versioned record bumps its version, so the copy read at `version` is
    # the row as it was; the bump is all that changed. The caller's copy stays as it was read.
    fresh = copy.copy(obj)
    fresh.version, fresh.updated_at = version + 1, now
    return fresh


def _versioned_update(
    obj: Versioned, version: int, changes: dict[str, Any], actor: Actor
) -> Versioned:
    """Claim the version the editor saw, then save the changes as a new history row."""
    fresh = claim(obj, version)
    for field, value in changes.items():
        setattr(fresh, field, value)
    fresh.attribute_to(actor.user)
    fresh.save()
    return fresh


def sign_once(
    obj: Versioned,
    version: int,
    actor: Actor,
    *,
    unsigned: dict[str, Any],
    signed: dict[str, Any],
    noun: str,
    already: str,
) -> Versioned:
    """Sign a record at most once, and only the version the signer read: one conditional
    UPDATE (so two signers cannot both win), then a history row naming the signer. The caller
    holds the transaction and writes the audit row."""
    model = type(obj)
    done = model._default_manager.filter(
        pk=obj.pk, version=version, status=RecordStatus.ACTIVE, **unsigned
    ).update(version=F("version") + 1, updated_at=timezone.now(), **signed)
    fresh = model._default_manager.get(pk=obj.pk)
    if not done:
        if getattr(fresh, "is_signed", False):
            raise Conflict(already)
        raise Conflict(
            f"this {noun} was changed by someone else (you signed version {version}, it is now "
            f"version {fresh.version}); review it and sign again"
        )
    fresh.attribute_to(actor.user)
    fresh.save(update_fields=["updated_at"])  # the history row for the signature
    return fresh


def _check_date_order(kind: RecordKind, record: PatientRecord) -> None:
    for first, second in kind.date_order:
        start, end = getattr(record, first), getattr(record, second)
        if start is not None and end is not None and end < start:
            raise InvalidInput(second, f"must not be before {first}")


def update_patient(
    actor: Actor, access: PatientAccess, version: int, changes: dict[str, Any]
) -> Patient:
    unknown = set(changes) - EDITABLE_PATIENT_FIELDS
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "cannot be changed here")
    patient = access.patient
    with transaction.atomic():
        if changes.get("mrn"):
            _check_mrn_free(patient.clinic, changes["mrn"], patient)
        updated = _versioned_update(patient, version, changes, actor)
        record_access(
            actor,
            action="update",
            what="patient",
            clinic=patient.clinic_id,
            patient_id=patient.pk,
            role=access.role,
        )
    assert isinstance(updated, Patient)  # noqa: S101  # _versioned_update returns the same model
    return updated


def mark_patient_in_error(
    actor: Actor, access: PatientAccess, version: int, reason: str
) -> Patient:
    """A registration made by mistake (a duplicate, the wrong person) stays, marked and hidden
    from the default list, with who, when and why."""
    with transaction.atomic():
        patient = _mark_in_error(access.patient, version, reason, actor)
        record_access(
            actor,
            action="entered_in_error",
            what="patient",
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    assert isinstance(patient, Patient)  # noqa: S101  # same model in, same model out
    return patient


def _mark_in_error(obj: Versioned, version: int, reason: str, actor: Actor) -> Versioned:
    if obj.in_error:
        raise Conflict("this record is already marked entered in error")
    return _versioned_update(
        obj,
        version,
        {
            "status": RecordStatus.ENTERED_IN_ERROR,
            "entered_in_error_reason": reason,
            "entered_in_error_at": timezone.now(),
            "entered_in_error_by": actor.user,
        },
        actor,
    )


def add_record(
    actor: Actor, access: PatientAccess, kind: RecordKind, data: dict[str, Any]
) -> PatientRecord:
    if access.patient.in_error:
        raise Conflict("this patient is marked entered in error; add records to the right chart")
    record = kind.model(patient=access.patient, created_by=actor.user, **data)
    _check_date_order(kind, record)
    with transaction.atomic():
        record.attribute_to(actor.user)
        record.save(force_insert=True)
        record_access(
            actor,
            action="create",
            what=kind.audit_name,
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    return record


def update_record(
    actor: Actor,
    access: PatientAccess,
    kind: RecordKind,
    record: PatientRecord,
    version: int,
    changes: dict[str, Any],
) -> PatientRecord:
    merged = kind.model(**{**_field_values(record), **changes})
    _check_date_order(kind, merged)
    with transaction.atomic():
        updated = _versioned_update(record, version, changes, actor)
        record_access(
            actor,
            action="update",
            what=kind.audit_name,
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    assert isinstance(updated, PatientRecord)  # noqa: S101  # same model in, same model out
    return updated


def mark_record_in_error(
    actor: Actor,
    access: PatientAccess,
    kind: RecordKind,
    record: PatientRecord,
    version: int,
    reason: str,
) -> PatientRecord:
    return mark_in_error(actor, access, record, version, reason, what=kind.audit_name)


def mark_in_error(
    actor: Actor, access: PatientAccess, record: PatientRecord, version: int, reason: str, what: str
) -> PatientRecord:
    """Mark any chart record entered in error, with its audit row, in one transaction."""
    with transaction.atomic():
        updated = _mark_in_error(record, version, reason, actor)
        record_access(
            actor,
            action="entered_in_error",
            what=what,
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    assert isinstance(updated, PatientRecord)  # noqa: S101  # same model in, same model out
    return updated


def _field_values(record: PatientRecord) -> dict[str, Any]:
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
