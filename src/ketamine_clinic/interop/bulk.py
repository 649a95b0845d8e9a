"""The whole clinic as FHIR NDJSON, one file per resource type, in the shape of the FHIR Bulk
Data Access specification (kick-off, status, manifest, files): a clinic can leave with its
data in an open standard whenever it wants. The writing runs on the worker
(`ketamine-clinic worker`), which saves its progress as it goes."""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ketamine_clinic.accounts.audit import Actor, record_access
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.interop.fhir.bundle import patient_resources, referenced
from ketamine_clinic.interop.models import BulkExport
from ketamine_clinic.patients.models import Patient

logger = logging.getLogger(__name__)

# How often the count of patients written is saved for the progress bar: often enough to
# move while someone watches, rarely enough to cost nothing beside the writing.
PROGRESS_EVERY_S = 1.0

TYPES = (
    "Patient",
    "Organization",
    "Practitioner",
    "Condition",
    "AllergyIntolerance",
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


class Cancelled(Exception):
    """The export's client deleted it while it was being written."""


def parse_since(value: str | None) -> datetime | None:
    """The `_since` parameter: a FHIR instant, with its time zone."""
    if not value:
        return None
    try:
        since = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        raise InvalidInput("_since", "must be an instant with its zone, e.g. 2026-01-01T00:00:00Z")
    return since


def start(
    actor: Actor, clinic: Clinic, types: list[str], request_url: str, *,
    since: datetime | None = None, on_worker: bool = True,
) -> BulkExport:  # fmt: skip
    """Ask for an export: record who asked and how many patients there are, and queue the
    writing for the worker, so a large clinic's export never holds a request open. The
    status (API) and the Data exports screen show its progress. The command line, which
    waits anyway, writes it itself (`on_worker=False`, then `write`)."""
    with transaction.atomic():
        export = BulkExport.objects.create(
            clinic=clinic, requested_by=actor.user, request_url=request_url, types=types,
            since=since, patients_total=Patient.objects.filter(clinic=clinic).count(),
        )  # fmt: skip
        record_access(actor, action="export", what=f"fhir bulk export {export.pk} asked for",
                      clinic=clinic)  # fmt: skip
        if on_worker:
            write_export.enqueue(str(export.pk))
    return export


@task()
def write_export(export_id: str) -> int:
    """The worker's half of an export; returns the patients written."""
    return write(uuid.UUID(export_id)).patients


def write(export_id: uuid.UUID) -> BulkExport:
    """Write every patient's resources and what they reference, deduplicated, one NDJSON file
    per type, saving the count of patients written as it goes. Runs once: an export already
    begun, finished or deleted is left as it is."""
    begun = BulkExport.objects.filter(
        pk=export_id, started_at__isnull=True, deleted_at__isnull=True
    ).update(started_at=timezone.now())
    export = BulkExport.objects.select_related("clinic", "requested_by").get(pk=export_id)
    if not begun:
        return export
    try:
        _write_files(export)
    except Exception as exc:
        if isinstance(exc, Cancelled) or _deleted(export):  # its folder may have gone under it
            shutil.rmtree(folder(export), ignore_errors=True)
            return export
        logger.exception("bulk export %s failed", export.pk)
        export.error = f"The export stopped ({type(exc).__name__}); ask again, or see the log."
        export.save(update_fields=["error"])
        raise
    record_access(
        Actor(user=export.requested_by, via="worker"), action="export",
        what=f"fhir bulk export {export.pk}: {export.patients} patients", clinic=export.clinic,
    )  # fmt: skip
    return export


def _write_files(export: BulkExport) -> None:
    target = folder(export)
    target.mkdir(parents=True, exist_ok=True)
    wanted = set(export.types or TYPES)
    handles: dict[str, Any] = {}
    counts: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()

    def put(resource: dict[str, Any]) -> None:
        kind = resource["resourceType"]
        key = (kind, resource["id"])
        if kind not in wanted or key in seen:
            return
        seen.add(key)
        if kind not in handles:
            handles[kind] = (target / f"{kind}.ndjson").open("w", encoding="utf-8")
        handles[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
        counts[kind] = counts.get(kind, 0) + 1

    patients = Patient.objects.filter(clinic=export.clinic).select_related("clinic")
    saved = time.monotonic()
    try:
        for patient in patients.iterator():
            own = [r for r in patient_resources(patient) if _changed_since(r, export.since)]
            for resource in own:
                put(resource)
            for resource in referenced(patient, own):
                put(resource)
            export.patients += 1
            if time.monotonic() - saved >= PROGRESS_EVERY_S:
                export.save(update_fields=["patients"])
                if _deleted(export):
                    raise Cancelled
                saved = time.monotonic()
    finally:
        for handle in handles.values():
            handle.close()
    if _deleted(export):
        raise Cancelled
    export.files = [{"type": t, "count": counts[t]} for t in TYPES if t in counts]
    export.patients_total = max(export.patients_total, export.patients)
    export.completed_at = timezone.now()
    export.save(update_fields=["files", "patients", "patients_total", "completed_at"])


def _changed_since(resource: dict[str, Any], since: datetime | None) -> bool:
    """With `_since`, only what changed from then on (its meta.lastUpdated)."""
    if since is None:
        return True
    updated = (resource.get("meta") or {}).get("lastUpdated")
    return updated is None or datetime.fromisoformat(updated.replace("Z", "+00:00")) >= since


def _deleted(export: BulkExport) -> bool:
    return BulkExport.objects.filter(pk=export.pk, deleted_at__isnull=False).exists()


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
    """A client is done with the files, or no longer wants an export still being written:
    remove them (the record of the export stays; a writing worker stops at its next save)."""
    shutil.rmtree(folder(export), ignore_errors=True)
    export.deleted_at = timezone.now()
    export.save(update_fields=["deleted_at"])
