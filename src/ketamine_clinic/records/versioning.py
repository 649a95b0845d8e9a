"""The writes every clinical record goes through: claim a version, save a change, sign once,
mark entered in error.

Each is one conditional UPDATE on the version the author read, so it holds on SQLite and
PostgreSQL alike without row locks. The caller (an app's action) owns the transaction and
writes the audit row beside it.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.db.models import F
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.common.errors import Conflict
from ketamine_clinic.records.models import RecordStatus, Versioned

R = TypeVar("R", bound=Versioned)


def claim(obj: R, version: int) -> R:
    """Bump the version only if it is still the one the editor saw: of two concurrent writes
    based on the same version exactly one wins and the other gets a Conflict. Returns the
    record as it now stands (read again only if the caller's copy is not the version it
    named)."""
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


def save_changes(obj: R, version: int, changes: dict[str, Any], actor: Actor) -> R:
    """Claim the version the editor saw, then save the changes as a new history row."""
    fresh = claim(obj, version)
    for field, value in changes.items():
        setattr(fresh, field, value)
    fresh.attribute_to(actor.user)
    fresh.save()
    return fresh


def sign_once(
    obj: R,
    version: int,
    actor: Actor,
    *,
    unsigned: dict[str, Any],
    signed: dict[str, Any],
    noun: str,
    already: str,
) -> R:
    """Sign a record at most once, and only the version the signer read: one conditional
    UPDATE (so two signers cannot both win), then a history row naming the signer."""
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


def mark_in_error(obj: R, version: int, reason: str, actor: Actor) -> R:
    """Keep a mistaken record, marked, with who, when and why; it is never deleted."""
    if obj.in_error:
        raise Conflict("this record is already marked entered in error")
    return save_changes(
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
