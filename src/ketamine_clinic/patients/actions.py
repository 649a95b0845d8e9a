"""Every write to a patient's chart: each runs in one transaction and writes its audit row.

Edits name the version they change; a stale version is a Conflict and changes nothing.
Nothing is deleted: a mistaken record is marked entered in error, with who, when and why.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.patients import queries
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import BodyMeasurement, Patient, PatientRecord
from ketamine_clinic.patients.records import RecordKind
from ketamine_clinic.patients.schemas import EDITABLE_PATIENT_FIELDS
from ketamine_clinic.records import versioning

R = TypeVar("R", bound=PatientRecord)


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
            duplicates = queries.find_duplicates(
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
        updated = versioning.save_changes(patient, version, changes, actor)
        record_access(
            actor,
            action="update",
            what="patient",
            clinic=patient.clinic_id,
            patient_id=patient.pk,
            role=access.role,
        )
    return updated


def mark_patient_in_error(
    actor: Actor, access: PatientAccess, version: int, reason: str
) -> Patient:
    """A registration made by mistake (a duplicate, the wrong person) stays, marked and hidden
    from the default list, with who, when and why."""
    with transaction.atomic():
        patient = versioning.mark_in_error(access.patient, version, reason, actor)
        record_access(
            actor,
            action="entered_in_error",
            what="patient",
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    return patient


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
        updated = versioning.save_changes(record, version, changes, actor)
        record_access(
            actor,
            action="update",
            what=kind.audit_name,
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
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
    actor: Actor, access: PatientAccess, record: R, version: int, reason: str, what: str
) -> R:
    """Mark any chart record entered in error, with its audit row, in one transaction."""
    with transaction.atomic():
        updated = versioning.mark_in_error(record, version, reason, actor)
        record_access(
            actor,
            action="entered_in_error",
            what=what,
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
    return updated


def _field_values(record: PatientRecord) -> dict[str, Any]:
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
