"""The whole clinic as FHIR NDJSON, one file per resource type, in the shape of the FHIR Bulk
Data Access specification (kick-off, status, manifest, files): a clinic can leave with its
data in an open standard whenever it wants."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.interop.fhir.bundle import patient_resources, referenced
from ketamine_clinic.interop.models import BulkExport
from ketamine_clinic.patients.models import Patient

TYPES = (
    "Patient",
    "Organization",
    "Practitioner",
    "Condition",
    "Observation",
    "Questionnaire",
    "QuestionnaireResponse",
    "Encounter",
    "MedicationRequest",
    "MedicationAdministration",
    "Consent",
    "AdverseEvent",
    "CarePlan",
)


def folder(export: BulkExport) -> Path:
    return Path(settings.EXPORT_DIR) / str(export.pk)


def parse_types(value: str | None) -> list[str]:
    """The `_type` parameter: resource types separated by commas; unknown ones refused."""
    if not value:
        return []
    wanted = [t.strip() for t in value.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in TYPES]
    if unknown:
        raise InvalidInput("_type", f"not exported here: {', '.join(unknown)}")
    return wanted


def run(actor: Actor, clinic: Clinic, types: list[str], request_url: str) -> BulkExport:
    """Write every patient's resources and what they reference, deduplicated, one NDJSON file
    per type. Runs at kick-off: the client still polls the status URL as the spec says."""
    export = BulkExport.objects.create(
        clinic=clinic, requested_by=actor.user, request_url=request_url, types=types
    )
    target = folder(export)
    target.mkdir(parents=True, exist_ok=True)
    wanted = set(types or TYPES)
    handles: dict[str, Any] = {}
    counts: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()

    def write(resource: dict[str, Any]) -> None:
        kind = resource["resourceType"]
        key = (kind, resource["id"])
        if kind not in wanted or key in seen:
            return
        seen.add(key)
        if kind not in handles:
            handles[kind] = (target / f"{kind}.ndjson").open("w", encoding="utf-8")
        handles[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
        counts[kind] = counts.get(kind, 0) + 1

    patients = 0
    try:
        for patient in Patient.objects.filter(clinic=clinic).select_related("clinic").iterator():
            own = list(patient_resources(patient))
            for resource in own:
                write(resource)
            for resource in referenced(patient, own):
                write(resource)
            patients += 1
    finally:
        for handle in handles.values():
            handle.close()
    export.files = [{"type": t, "count": counts[t]} for t in TYPES if t in counts]
    export.patients = patients
    export.completed_at = timezone.now()
    export.save(update_fields=["files", "patients", "completed_at"])
    record_access(
        actor, action="export", what=f"fhir bulk export {export.pk}: {patients} patients",
        clinic=clinic,
    )  # fmt: skip
    return export


def live(export_id: Any) -> BulkExport | None:
    """An export whose files are still there (not deleted by its client)."""
    return BulkExport.objects.filter(pk=export_id, deleted_at__isnull=True).first()


def manifest(export: BulkExport, base_url: str) -> dict[str, Any]:
    """The completed export as the Bulk Data spec describes it."""
    return {
        "transactionTime": export.requested_at.isoformat(),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": f["type"],
                "url": f"{base_url}$export-file/{export.pk}/{f['type']}.ndjson",
                "count": f["count"],
            }
            for f in export.files
        ],
        "error": [],
    }


def delete(export: BulkExport) -> None:
    """A client is done with the files: remove them (the record of the export stays)."""
    shutil.rmtree(folder(export), ignore_errors=True)
    export.deleted_at = timezone.now()
    export.save(update_fields=["deleted_at"])
