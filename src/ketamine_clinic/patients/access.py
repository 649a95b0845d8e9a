"""The only way code reaches a patient: by id, for a user, for a purpose.

Anything outside the user's clinics is "not found" (404), so ids cannot be probed; a role
that may not do the thing gets 403; a patient reaches only their own record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, Role, can
from ketamine_clinic.common.ids import uuid_or_404
from ketamine_clinic.patients.models import Patient, PatientRecord
from ketamine_clinic.server.compiled_sql import CompiledRead

R = TypeVar("R", bound=PatientRecord)
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class PatientAccess:
    patient: Patient
    role: Role


def get_patient_for_user(
    user: User,
    patient_id: uuid.UUID | str,
    capability: Capability,
    patients: QuerySet[Patient] | None = None,
) -> PatientAccess:
    """`patients` may annotate what the caller shows (a chart's latest weight), so the
    patient is read once."""
    key = uuid_or_404(patient_id, "patient")
    if patients is None:
        return access_to(user, PATIENT_BY_ID.first(key), capability)
    return access_to(user, _one(patients.filter(pk=key)), capability)


# Every page about a patient starts here (compiled_sql: why).
PATIENT_BY_ID = CompiledRead(lambda key: Patient.objects.filter(pk=key).order_by())


def _one(rows: QuerySet[M]) -> M | None:
    """The row a primary key names, or None (`first()` would sort by the model's ordering)."""
    return next(iter(rows.order_by()[:1]), None)


def access_to(user: User, patient: Patient | None, capability: Capability) -> PatientAccess:
    """The check itself, on a patient already read: 404 outside the user's clinics or another
    patient's own record, 403 for a role that may not. The patient's clinic is the one the
    user's membership holds (read with it), so it is not read again."""
    membership = user.membership_in(patient.clinic_id) if patient is not None else None
    if patient is None or membership is None:
        raise Http404("no such patient")
    patient.clinic = membership.clinic
    role = Role(membership.role)
    if role == Role.PATIENT and patient.user_id != user.pk:
        raise Http404("no such patient")
    if not can(role, capability):
        raise PermissionDenied(
            f"a {role.label.lower()} may not {capability.value.replace('_', ' ')}"
        )
    return PatientAccess(patient, role)


def get_record_for_user(
    user: User,
    patient_id: uuid.UUID | str,
    model: type[PatientRecord],
    record_id: uuid.UUID | str,
    capability: Capability,
) -> tuple[PatientAccess, PatientRecord]:
    access = get_patient_for_user(user, patient_id, capability)
    key = uuid_or_404(record_id, "record")
    record = _one(model._default_manager.filter(pk=key, patient=access.patient))
    if record is None:
        raise Http404("no such record")
    return access, record


def own_or_with(user: User, patient_id: Any, capability: Capability) -> PatientAccess:
    """The patient themself, or staff whose role has `capability` (a patient's schedule and
    messages are theirs to see, and the front desk's to keep)."""
    access = get_patient_for_user(user, patient_id, Capability.VIEW_DEMOGRAPHICS)
    if access.role != Role.PATIENT and not can(access.role, capability):
        raise PermissionDenied("your role does not do this for a patient")
    return access


def clinics_where(user: User, capability: Capability) -> list[uuid.UUID]:
    return [m.clinic_id for m in user.active_memberships if can(m.role, capability)]


def one_clinic(user: User, wanted: uuid.UUID | None, capability: Capability | None) -> uuid.UUID:
    """The clinic a request is about: the one named, or the user's only (or first) clinic."""
    return _membership(user, wanted, capability).clinic_id


def the_clinic(user: User, wanted: uuid.UUID | None, capability: Capability | None) -> Clinic:
    """As `one_clinic`, the clinic itself (read with the user's memberships, no query)."""
    clinic = _membership(user, wanted, capability).clinic
    if clinic is None:  # not so for an active membership (User.active_memberships_query)
        raise Http404("no such clinic")
    return clinic


def _membership(user: User, wanted: uuid.UUID | None, capability: Capability | None) -> Membership:
    memberships = [
        m for m in user.active_memberships if capability is None or can(m.role, capability)
    ]
    if not memberships:
        raise PermissionDenied("your role does not allow this")
    if wanted is None:
        return memberships[0]
    for membership in memberships:
        if membership.clinic_id == wanted:
            return membership
    raise Http404("no such clinic")


def listable_clinics(user: User, clinic_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Clinics whose patients the user may list (optionally narrowed to one of them)."""
    clinic_ids = clinics_where(user, Capability.LIST_PATIENTS)
    if clinic_id is not None:
        clinic_ids = [c for c in clinic_ids if c == clinic_id]
    return clinic_ids


def record_patient_access(actor: Actor, access: PatientAccess, action: str, what: str) -> None:
    """The access-log row for something done to one patient's record."""
    record_access(
        actor,
        action=action,
        what=what,
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )


def record_page_read(request: HttpRequest, access: PatientAccess, what: str) -> None:
    """A screen showing one patient's record (a form pre-filled from it, say) is a read."""
    record_patient_access(web_actor(request), access, "read", what)


def record_list_read(request: HttpRequest, membership: Membership, what: str) -> None:
    """A screen listing the clinic's patients by name (the patient list, the day's sessions)
    is a read of the clinic's records, with no one patient named."""
    record_access(
        web_actor(request), action="list", what=what, clinic=membership.clinic,
        role=membership.role,
    )  # fmt: skip


# A chart record by its id, with its patient (and what else the caller needs), compiled once
# for each kind (compiled_sql: why).
_BY_ID: dict[tuple[type[Any], tuple[str, ...]], CompiledRead[Any]] = {}


def get_chart_record_for_user(
    user: User, model: type[R], record_id: uuid.UUID | str, capability: Capability, *related: str
) -> tuple[PatientAccess, R]:
    """Any record of a patient's chart, by its own id: 404 unless its patient is reachable."""
    key = uuid_or_404(record_id, str(model._meta.verbose_name))
    read = _BY_ID.get((model, related))
    if read is None:
        read = _BY_ID[model, related] = CompiledRead(
            lambda key: (
                model._default_manager.select_related("patient", *related).filter(pk=key).order_by()
            )
        )
    record = read.first(key)
    if record is None:
        raise Http404(f"no such {model._meta.verbose_name}")
    return access_to(user, record.patient, capability), record


def own_chart(request: HttpRequest) -> tuple[Patient, PatientAccess]:
    """A patient's own chart, for the portal's pages: only for a patient member of the
    clinic whose chart is linked to their account."""
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.SELF_REPORT):
        raise PermissionDenied("this page is for patients")
    patient = Patient.objects.filter(user=request_user(request), clinic=membership.clinic).first()
    if patient is None or patient.in_error:
        raise Http404("your account is not linked to a chart")
    return patient, PatientAccess(patient, Role.PATIENT)
