"""A clinic's own protocols: copied from the library with changes, revised (each change a
new version, with a reason) and retired."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.clinical.protocol_adjustments import AdjustmentError, adjust, check_key
from ketamine_clinic.clinical.protocols import LIBRARY, Protocol
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.treatment.models import ClinicProtocol
from ketamine_clinic.treatment.queries.protocols import build, latest

MIN_REASON = 10


def _save(actor: Actor, clinic: Clinic, row: ClinicProtocol, what: str) -> ClinicProtocol:
    if len(row.reason.strip()) < MIN_REASON:
        raise InvalidInput("reason", f"say why, in at least {MIN_REASON} characters")
    build(row)  # refuse what the library does not allow, before anything is stored
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            record_access(actor, action="create", what=what, clinic=clinic)
    except IntegrityError:
        raise Conflict(
            f"protocol {row.key!r} version {row.version} was saved by someone else: reload"
        ) from None
    return row


def _checked(
    base_id: str, key: str, version: int, name: str, changes: dict[str, Any]
) -> tuple[Protocol, dict[str, Any]]:
    base = LIBRARY.get(base_id)
    if base is None:
        raise InvalidInput("base", f"unknown library protocol {base_id!r}")
    try:
        adjust(base, key=key, version=version, name=name, changes=changes)
    except AdjustmentError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    return base, changes


def copy_protocol(
    actor: Actor,
    clinic: Clinic,
    *,
    base_id: str,
    key: str,
    name: str,
    changes: dict[str, Any],
    reason: str,
) -> ClinicProtocol:
    """Version 1 of the clinic's copy of a library protocol."""
    try:
        check_key(key)
    except AdjustmentError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    if latest(clinic.id, key) is not None:
        raise Conflict(f"the clinic already has a protocol {key!r}: adjust it instead")
    base, changes = _checked(base_id, key, 1, name, changes)
    row = ClinicProtocol(
        clinic=clinic,
        key=key,
        version=1,
        base_id=base.id,
        base_version=base.version,
        name=name.strip(),
        changes=changes,
        reason=reason.strip(),
        created_by=actor.user,
    )
    return _save(actor, clinic, row, f"protocol.copy {key}")


def _next(clinic: Clinic, key: str, version: int) -> ClinicProtocol:
    row = latest(clinic.id, key)
    if row is None:
        raise InvalidInput("key", f"the clinic has no protocol {key!r}")
    if row.version != version:
        raise Conflict(
            f"protocol {key!r} is at version {row.version}, not {version}: someone changed it; "
            "reload and try again"
        )
    if row.retired:
        raise Conflict(f"protocol {key!r} is retired")
    return row


def revise_protocol(
    actor: Actor,
    clinic: Clinic,
    key: str,
    *,
    version: int,
    name: str | None,
    changes: dict[str, Any],
    reason: str,
) -> ClinicProtocol:
    """The next version: the same library base with new changes (they replace the old)."""
    previous = _next(clinic, key, version)
    new_name = (name or previous.name).strip()
    _checked(previous.base_id, key, version + 1, new_name, changes)
    row = ClinicProtocol(
        clinic=clinic,
        key=key,
        version=version + 1,
        base_id=previous.base_id,
        base_version=LIBRARY[previous.base_id].version,
        name=new_name,
        changes=changes,
        reason=reason.strip(),
        created_by=actor.user,
    )
    return _save(actor, clinic, row, f"protocol.revise {key}")


def retire_protocol(
    actor: Actor, clinic: Clinic, key: str, *, version: int, reason: str
) -> ClinicProtocol:
    """No new courses on it; courses already ordered keep their version."""
    previous = _next(clinic, key, version)
    row = ClinicProtocol(
        clinic=clinic,
        key=key,
        version=version + 1,
        base_id=previous.base_id,
        base_version=previous.base_version,
        name=previous.name,
        changes=previous.changes,
        reason=reason.strip(),
        retired=True,
        created_by=actor.user,
    )
    return _save(actor, clinic, row, f"protocol.retire {key}")
