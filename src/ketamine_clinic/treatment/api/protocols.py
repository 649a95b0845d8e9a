"""The protocol library and the clinic's own adjusted copies over the API."""

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Status

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical.protocols import LIBRARY, Protocol
from ketamine_clinic.patients.access import clinics_where, one_clinic, the_clinic
from ketamine_clinic.treatment.actions import protocols as protocol_actions
from ketamine_clinic.treatment.api.schemas import (
    Changes,
    ProtocolCopy,
    ProtocolOut,
    ProtocolRetire,
    ProtocolRevision,
    VersionOut,
)
from ketamine_clinic.treatment.models import ClinicProtocol
from ketamine_clinic.treatment.queries import protocols as clinic_protocols

router = Router(tags=["protocols"])


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
def list_protocols(request: HttpRequest, clinic: uuid.UUID | None = None) -> list[dict[str, Any]]:
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
def copy_protocol(request: HttpRequest, payload: ProtocolCopy) -> Status:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_PROTOCOLS)
    row = protocol_actions.copy_protocol(
        api_actor(request),
        clinic,
        base_id=payload.base,
        key=payload.key,
        name=payload.name,
        changes=_changes(payload.changes),
        reason=payload.reason,
    )
    return Status(201, protocol_out(clinic_protocols.build(row), clinic.pk))


@router.get(
    "/protocols/{key}/versions",
    response=list[VersionOut],
    summary="Every version of a clinic's protocol, newest first",
)
def protocol_versions(
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
def revise_protocol(request: HttpRequest, key: str, payload: ProtocolRevision) -> Status:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_PROTOCOLS)
    row = protocol_actions.revise_protocol(
        api_actor(request),
        clinic,
        key,
        version=payload.version,
        name=payload.name,
        changes=_changes(payload.changes),
        reason=payload.reason,
    )
    return Status(201, protocol_out(clinic_protocols.build(row), clinic.pk))


@router.post(
    "/protocols/{key}/retire",
    response=VersionOut,
    summary="Retire a clinic protocol: no new courses on it; ordered courses keep it",
)
def retire_protocol(request: HttpRequest, key: str, payload: ProtocolRetire) -> ClinicProtocol:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_PROTOCOLS)
    return protocol_actions.retire_protocol(
        api_actor(request),
        clinic,
        key,
        version=payload.version,
        reason=payload.reason,
    )
