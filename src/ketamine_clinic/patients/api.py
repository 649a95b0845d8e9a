"""Patients and their chart records over the API (DESIGN.md contract)."""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.models import Clinic, User
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.common.api_contract import Page
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.patients import actions, queries
from ketamine_clinic.patients.access import (
    clinics_where,
    get_patient_for_user,
    get_record_for_user,
    listable_clinics,
    the_clinic,
)
from ketamine_clinic.patients.models import Patient, PatientRecord
from ketamine_clinic.patients.records import RECORD_KINDS, RecordKind
from ketamine_clinic.patients.schemas import (
    EnteredInError,
    PatientCreate,
    PatientCreated,
    PatientOut,
    PatientUpdate,
)

router = Router(tags=["patients"])


class PatientFilters(Schema):
    q: str = Field("", max_length=100, description="Name, MRN or birth date (YYYY-MM-DD)")
    clinic: uuid.UUID | None = None
    include_entered_in_error: bool = False


@router.get("", response=list[PatientOut], summary="List or search patients")
@paginate(Page)
def list_patients(request: HttpRequest, filters: Query[PatientFilters]) -> QuerySet[Patient]:
    user = request_user(request)
    if not clinics_where(user, Capability.LIST_PATIENTS):
        raise PermissionDenied("your role does not list patients")
    clinic_ids = listable_clinics(user, filters.clinic)
    patients = queries.search_patients(
        queries.in_clinics(clinic_ids),
        filters.q,
        filters.include_entered_in_error,
    )
    for clinic_id in clinic_ids:
        record_access(
            api_actor(request),
            action="list",
            what="patient.search" if filters.q else "patient.list",
            clinic=clinic_id,
            role=user.role_in(clinic_id),
        )
    return queries.with_latest_measurements(patients)


def _clinic_for_create(user: User, wanted: uuid.UUID | None) -> Clinic:
    allowed = clinics_where(user, Capability.EDIT_DEMOGRAPHICS)
    if not allowed:
        raise PermissionDenied("your role does not register patients")
    if wanted is None and len(allowed) > 1:
        raise InvalidInput("clinic", "required, because you work in more than one clinic")
    return the_clinic(user, wanted, Capability.EDIT_DEMOGRAPHICS)


@router.post("", response={201: PatientCreated}, summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientCreate) -> Status:
    user = request_user(request)
    clinic = _clinic_for_create(user, payload.clinic)
    patient = actions.register_patient(api_actor(request), clinic, payload.model_dump())
    return Status(201, queries.with_measurements(patient.pk))


@router.get("/{patient_id}", response=PatientOut, summary="One patient's demographics")
def get_patient(request: HttpRequest, patient_id: uuid.UUID) -> Patient:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_DEMOGRAPHICS)
    record_access(
        api_actor(request),
        action="read",
        what="patient",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return queries.with_measurements(access.patient.pk)


@router.patch(
    "/{patient_id}",
    response=PatientOut,
    summary="Edit demographics; send the version you edited (409 if it is stale)",
)
def patch_patient(request: HttpRequest, patient_id: uuid.UUID, payload: PatientUpdate) -> Patient:
    access = get_patient_for_user(request_user(request), patient_id, Capability.EDIT_DEMOGRAPHICS)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    patient = actions.update_patient(api_actor(request), access, version, changes)
    return queries.with_measurements(patient.pk)


@router.post(
    "/{patient_id}/entered-in-error",
    response=PatientOut,
    summary="Mark a registration made by mistake; it stays in the record",
)
def patient_in_error(
    request: HttpRequest, patient_id: uuid.UUID, payload: EnteredInError
) -> Patient:
    access = get_patient_for_user(
        request_user(request), patient_id, Capability.MARK_PATIENT_IN_ERROR
    )
    patient = actions.mark_patient_in_error(
        api_actor(request), access, payload.version, payload.reason
    )
    return queries.with_measurements(patient.pk)


def _register_record_routes(kind: RecordKind) -> None:
    """GET/POST on the list, PATCH and entered-in-error on one record, for one kind."""
    name = kind.segment.replace("-", "_")

    def list_records(request: HttpRequest, patient_id: uuid.UUID) -> QuerySet[PatientRecord]:
        access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
        record_access(
            api_actor(request),
            action="read",
            what=kind.audit_name,
            clinic=access.patient.clinic_id,
            patient_id=access.patient.pk,
            role=access.role,
        )
        return queries.records_of(kind.model, access.patient)

    def create_record(request: HttpRequest, patient_id: uuid.UUID, payload: Any) -> Status:
        access = get_patient_for_user(request_user(request), patient_id, kind.write)
        return Status(
            201, actions.add_record(api_actor(request), access, kind, payload.model_dump())
        )

    def mark_in_error(
        request: HttpRequest, patient_id: uuid.UUID, record_id: uuid.UUID, payload: EnteredInError
    ) -> PatientRecord:
        access, record = get_record_for_user(
            request_user(request), patient_id, kind.model, record_id, kind.write
        )
        return actions.mark_record_in_error(
            api_actor(request), access, kind, record, payload.version, payload.reason
        )

    create_record.__annotations__["payload"] = kind.create
    path = f"/{{patient_id}}/{kind.segment}"
    many: Any = list  # the item type is only known at run time
    router.get(path, response=many[kind.out], operation_id=f"list_{name}", summary=kind.title)(
        list_records
    )
    router.post(path, response={201: kind.out}, operation_id=f"create_{name}")(create_record)
    router.post(
        f"{path}/{{record_id}}/entered-in-error",
        response=kind.out,
        operation_id=f"{name}_entered_in_error",
    )(mark_in_error)
    if kind.update is not None:
        router.patch(f"{path}/{{record_id}}", response=kind.out, operation_id=f"update_{name}")(
            _update_route(kind)
        )


def _update_route(kind: RecordKind) -> Callable[..., PatientRecord]:
    def update_record(
        request: HttpRequest, patient_id: uuid.UUID, record_id: uuid.UUID, payload: Any
    ) -> PatientRecord:
        access, record = get_record_for_user(
            request_user(request), patient_id, kind.model, record_id, kind.write
        )
        changes = payload.model_dump(exclude_unset=True)
        version = changes.pop("version")
        return actions.update_record(api_actor(request), access, kind, record, version, changes)

    update_record.__annotations__["payload"] = kind.update
    return update_record


for _kind in RECORD_KINDS.values():
    _register_record_routes(_kind)
