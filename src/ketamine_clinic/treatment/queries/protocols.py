"""The protocols a clinic orders from: the library, plus the clinic's own adjusted copies.

A copy is stored as its changes to a library protocol and rebuilt (and rechecked) through
`clinical.protocol_adjustments.adjust` whenever it is used, so the library's limits always
hold. Each change is a new version; courses keep the version they were ordered under.
"""

from __future__ import annotations

from typing import Any

from ketamine_clinic.clinical.protocol_adjustments import AdjustmentError, adjust
from ketamine_clinic.clinical.protocols import LIBRARY, Protocol
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.treatment.models import ClinicProtocol

MIN_REASON = 10


def build(row: ClinicProtocol) -> Protocol:
    """The Protocol a stored version describes."""
    base = LIBRARY.get(row.base_id)
    if base is None:  # a library protocol withdrawn since: the copy cannot be used
        raise Conflict(f"protocol {row.key!r} copies {row.base_id!r}, no longer in the library")
    try:
        return adjust(base, key=row.key, version=row.version, name=row.name, changes=row.changes)
    except AdjustmentError as exc:
        raise Conflict(
            f"protocol {row.key!r} v{row.version} no longer fits the library: {exc}"
        ) from None


def latest(clinic_id: Any, key: str) -> ClinicProtocol | None:
    return ClinicProtocol.objects.filter(clinic_id=clinic_id, key=key).order_by("-version").first()


def current_rows(clinic_id: Any) -> list[ClinicProtocol]:
    """The latest version of each of the clinic's copies that is not retired."""
    rows = ClinicProtocol.objects.filter(clinic_id=clinic_id).order_by("key", "-version")
    newest: dict[str, ClinicProtocol] = {}
    for row in rows:
        newest.setdefault(row.key, row)
    return [row for row in newest.values() if not row.retired]


def available(clinic_id: Any) -> list[Protocol]:
    """What a prescriber in this clinic may order from."""
    return [*LIBRARY.values(), *(build(row) for row in current_rows(clinic_id))]


def names(clinic_id: Any) -> dict[str, str]:
    """Each protocol id a course may name, library or the clinic's (retired ones too, since
    old courses name them), to the name a person reads."""
    rows = ClinicProtocol.objects.filter(clinic_id=clinic_id).order_by("key", "-version")
    found = {key: protocol.name for key, protocol in LIBRARY.items()}
    for row in rows.values("key", "name"):
        found.setdefault(row["key"], row["name"])
    return found


def get_protocol(protocol_id: str, clinic_id: Any = None, version: str | None = None) -> Protocol:
    """A library protocol, or the clinic's copy (its current version, or the one named).

    Ordering needs the current version and refuses a retired copy; a course already ordered
    names its version and always gets it back."""
    library = LIBRARY.get(protocol_id)
    if library is not None:
        return library
    row = None
    if clinic_id is not None:
        if version is not None:
            row = ClinicProtocol.objects.filter(
                clinic_id=clinic_id, key=protocol_id, version=int(version)
            ).first()
        else:
            row = latest(clinic_id, protocol_id)
            if row is not None and row.retired:
                raise InvalidInput("protocol", f"{protocol_id!r} is retired: choose another")
    if row is None:
        known = [*LIBRARY, *(r.key for r in current_rows(clinic_id))] if clinic_id else LIBRARY
        raise InvalidInput(
            "protocol", f"unknown protocol {protocol_id!r}; known: {', '.join(known)}"
        )
    return build(row)


def versions(clinic_id: Any, key: str) -> list[ClinicProtocol]:
    return list(
        ClinicProtocol.objects.filter(clinic_id=clinic_id, key=key)
        .select_related("created_by")
        .order_by("-version")
    )
