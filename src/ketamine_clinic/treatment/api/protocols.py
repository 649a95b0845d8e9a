"""The protocol library and the clinic's own adjusted copies over the API."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical.protocols import LIBRARY, Protocol
from ketamine_clinic.common.schema_types import line
from ketamine_clinic.patients.access import clinics_where, one_clinic
from ketamine_clinic.treatment.actions import protocols as protocol_actions
from ketamine_clinic.treatment.models import ClinicProtocol
from ketamine_clinic.treatment.queries import protocols as clinic_protocols

router = Router(tags=["protocols"])


class PhaseOut(Schema):
    name: str
    sessions: int | None
    per_week: int
    min_hours_apart: int


class ProtocolOut(Schema):
    id: str
    version: str
    name: str
    clinic: uuid.UUID | None = Field(None, description="Set for a clinic's own copy")
    based_on: str | None = Field(None, description="The library protocol a copy adjusts")
    product: str
    route: str
    indication: str
    label_region: str | None
    experimental: bool
    weight_based: bool
    default_mg_per_kg: Decimal | None
    min_mg_per_kg: Decimal | None
    max_mg_per_kg: Decimal | None
    ceiling_mg_per_kg: Decimal | None
    default_duration_min: Decimal | None
    min_duration_min: Decimal | None
    max_duration_min: Decimal | None
    doses_mg: list[int]
    start_mg: int | None
    start_mg_65_plus: int | None
    dosing_weight: str = Field(description="actual, ideal, adjusted or actual_capped")
    dosing_weight_cap_kg: Decimal | None
    max_mg_per_session: Decimal | None = Field(description="Never exceeded, override or not")
    max_mg_per_kg_per_week: Decimal | None
    max_mg_per_week: int | None
    max_mg_per_kg_per_min: Decimal | None = Field(
        description="The fastest an infusion may run (ceiling over the shortest infusion)"
    )
    weight_max_age_days: int
    min_age_years: int | None
    adult_label_only: bool
    phases: list[PhaseOut]
    sources: list[str]


class PhaseIn(Schema):
    name: Annotated[str, Field(max_length=60)]
    sessions: Annotated[int, Field(ge=1, le=12)] | None = None
    per_week: Annotated[int, Field(ge=1, le=7)] | None = None
    min_hours_apart: Annotated[int, Field(ge=1, le=2000)] | None = None


class Changes(Schema):
    """What a clinic may adjust; each must stay inside the library protocol."""

    min_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    default_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    max_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    min_duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    default_duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    max_duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    doses_mg: Annotated[list[Annotated[int, Field(ge=1, le=1000)]], Field(max_length=10)] | None = (
        None
    )
    phases: Annotated[list[PhaseIn], Field(max_length=10)] | None = None
    dosing_weight: Literal["actual", "ideal", "adjusted", "actual_capped"] | None = None
    dosing_weight_cap_kg: Annotated[Decimal, Field(ge=30, le=350, decimal_places=1)] | None = None
    max_mg_per_session: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=1)] | None = None
    max_mg_per_kg_per_week: Annotated[Decimal, Field(gt=0, le=30, decimal_places=2)] | None = None
    max_mg_per_week: Annotated[int, Field(ge=1, le=1000)] | None = None
    weight_max_age_days: Annotated[int, Field(ge=1, le=365)] | None = None


class ProtocolCopy(Schema):
    clinic: uuid.UUID | None = None
    base: Annotated[str, Field(max_length=60)]
    key: Annotated[str, Field(max_length=50)]
    name: Annotated[str, line(200)]
    changes: Changes = Changes()
    reason: Annotated[str, line(2000)]


class ProtocolRevision(Schema):
    clinic: uuid.UUID | None = None
    version: Annotated[int, Field(ge=1)] = Field(..., description="The version you are changing")
    name: Annotated[str, line(200)] | None = None
    changes: Changes = Changes()
    reason: Annotated[str, line(2000)]


class ProtocolRetire(Schema):
    clinic: uuid.UUID | None = None
    version: Annotated[int, Field(ge=1)]
    reason: Annotated[str, line(2000)]


class VersionOut(Schema):
    key: str
    version: int
    name: str
    base_id: str
    base_version: str
    changes: dict[str, Any]
    reason: str
    retired: bool
    created_at: datetime
    created_by: uuid.UUID = Field(..., alias="created_by_id")


def protocol_out(protocol: Protocol, clinic_id: uuid.UUID | None = None) -> dict[str, Any]:
    data = dict(vars(protocol))
    data["clinic"] = clinic_id
    data["weight_based"] = protocol.weight_based
    data["max_mg_per_kg_per_min"] = protocol.max_mg_per_kg_per_min
    data["doses_mg"] = list(protocol.doses_mg)
    data["phases"] = [vars(p) for p in protocol.phases]
    data["sources"] = list(protocol.sources)
    return data


def _changes(changes: Changes) -> dict[str, Any]:
    """Only what was given, as JSON: decimals as strings so they read back exactly."""
    data = changes.model_dump(exclude_none=True)
    for name, value in data.items():
        if isinstance(value, Decimal):
            data[name] = str(value)
    if "phases" in data:
        data["phases"] = [
            {k: v for k, v in phase.items() if v is not None} for phase in data["phases"]
        ]
    return data


@router.get(
    "/protocols",
    response=list[ProtocolOut],
    summary="The protocol library and each of your clinics' current copies",
)
def protocols(request: HttpRequest, clinic: uuid.UUID | None = None) -> list[dict[str, Any]]:
    user = request_user(request)
    clinic_ids = clinics_where(user, Capability.VIEW_PROTOCOLS)
    if not clinic_ids:
        raise PermissionDenied("your role does not see protocols")
    if clinic is not None:
        clinic_ids = [one_clinic(user, clinic, Capability.VIEW_PROTOCOLS)]
    result = [protocol_out(p) for p in LIBRARY.values()]
    for clinic_id in clinic_ids:
        result += [
            protocol_out(clinic_protocols.build(row), clinic_id)
            for row in clinic_protocols.current_rows(clinic_id)
        ]
    return result


@router.post(
    "/protocols",
    response={201: ProtocolOut},
    summary="Copy a library protocol for your clinic, adjusted within its limits (prescribers)",
)
def copy(request: HttpRequest, payload: ProtocolCopy) -> Status:
    clinic_id = one_clinic(request_user(request), payload.clinic, Capability.MANAGE_PROTOCOLS)
    row = protocol_actions.copy_protocol(
        api_actor(request),
        Clinic.objects.get(pk=clinic_id),
        base_id=payload.base,
        key=payload.key,
        name=payload.name,
        changes=_changes(payload.changes),
        reason=payload.reason,
    )
    return Status(201, protocol_out(clinic_protocols.build(row), clinic_id))


@router.get(
    "/protocols/{key}/versions",
    response=list[VersionOut],
    summary="Every version of a clinic's protocol, newest first",
)
def versions(
    request: HttpRequest, key: str, clinic: uuid.UUID | None = None
) -> list[ClinicProtocol]:
    clinic_id = one_clinic(request_user(request), clinic, Capability.VIEW_PROTOCOLS)
    found = clinic_protocols.versions(clinic_id, key)
    if not found:
        raise Http404("no such protocol")
    return found


@router.post(
    "/protocols/{key}/versions",
    response={201: ProtocolOut},
    summary="Adjust a clinic protocol: a new version (409 when someone changed it first)",
)
def revise(request: HttpRequest, key: str, payload: ProtocolRevision) -> Status:
    clinic_id = one_clinic(request_user(request), payload.clinic, Capability.MANAGE_PROTOCOLS)
    row = protocol_actions.revise_protocol(
        api_actor(request),
        Clinic.objects.get(pk=clinic_id),
        key,
        version=payload.version,
        name=payload.name,
        changes=_changes(payload.changes),
        reason=payload.reason,
    )
    return Status(201, protocol_out(clinic_protocols.build(row), clinic_id))


@router.post(
    "/protocols/{key}/retire",
    response=VersionOut,
    summary="Retire a clinic protocol: no new courses on it; ordered courses keep it",
)
def retire(request: HttpRequest, key: str, payload: ProtocolRetire) -> ClinicProtocol:
    clinic_id = one_clinic(request_user(request), payload.clinic, Capability.MANAGE_PROTOCOLS)
    return protocol_actions.retire_protocol(
        api_actor(request),
        Clinic.objects.get(pk=clinic_id),
        key,
        version=payload.version,
        reason=payload.reason,
    )
