"""The owner's exports from screens, not only the API: a patient's FHIR record (read before
it is downloaded), the whole clinic as FHIR Bulk Data, and the research extract with its
data dictionary."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ketamine_clinic.accounts.current import membership_with
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.assessments.catalogue import instruments_for
from ketamine_clinic.common.ids import parse_uuid
from ketamine_clinic.interop import bulk
from ketamine_clinic.interop.fhir.bundle import patient_resources
from ketamine_clinic.interop.fhir.readable import summary
from ketamine_clinic.interop.fhir.responses import base_url
from ketamine_clinic.interop.models import BulkExport
from ketamine_clinic.interop.research_export import DICTIONARY
from ketamine_clinic.patients.access import get_patient_for_user, record_patient_access


@login_required
@require_GET
def patient_record(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """What a patient's FHIR export holds, line by line, with the download beside it."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    names = {i.id: i.short_name for i in instruments_for(access.patient.clinic_id).values()}
    counts, lines = summary(list(patient_resources(access.patient)), names)
    record_patient_access(web_actor(request), access, "read", "fhir summary")
    return render(
        request,
        "interop/patient_record.html",
        {"patient": access.patient, "counts": counts, "lines": lines},
    )


@login_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    """Start a whole-clinic FHIR export, see each one with its files, delete the files once
    they are safe elsewhere; download the research extract and read its dictionary."""
    membership = membership_with(request, Capability.EXPORT_DATA)
    clinic = membership.clinic
    if request.method == "POST" and request.POST.get("step") == "bulk":
        export = bulk.start(web_actor(request), clinic, [], f"{base_url(request)}$export")
        messages.success(
            request,
            f"Export started: {export.patients_total} patient"
            f"{'s' if export.patients_total != 1 else ''} to write. Its progress shows below.",
        )
        return redirect("interop:exports")
    if request.method == "POST" and request.POST.get("step") == "delete":
        export_id = parse_uuid(request.POST.get("export"))
        done = bulk.live(export_id) if export_id else None
        if done is None or done.clinic_id != clinic.pk:
            raise Http404("no such export")
        cancelled = done.in_progress
        bulk.delete(done)
        messages.success(
            request,
            "The export is cancelled."
            if cancelled
            else "The export's files are deleted; its record stays.",
        )
        return redirect("interop:exports")
    return render(request, "interop/exports.html", {**_recent(clinic), "dictionary": DICTIONARY})


@login_required
@require_GET
def bulk_exports(request: HttpRequest) -> HttpResponse:
    """The list of exports alone, which the screen fetches every few seconds while one is
    being written, so its progress bar moves without a reload."""
    clinic = membership_with(request, Capability.EXPORT_DATA).clinic
    return render(request, "interop/partials/bulk_exports.html", _recent(clinic))


def _recent(clinic: Clinic) -> dict[str, Any]:
    """The clinic's last 20 exports, and whether one is still being written (then the list
    keeps fetching itself)."""
    exports = list(BulkExport.objects.filter(clinic=clinic).select_related("requested_by")[:20])
    return {"exports": exports, "writing": any(e.in_progress for e in exports)}
