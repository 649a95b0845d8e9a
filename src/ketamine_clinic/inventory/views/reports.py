"""The ledger's reports on screen, and as CSV or PDF downloads."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.inventory import reports
from ketamine_clinic.inventory.access import audit, clinic_container, ledger_membership
from ketamine_clinic.inventory.forms import ReportForm

DOWNLOADS = ("csv", "pdf")


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    membership = ledger_membership(request)
    today = timezone.localdate()
    form = ReportForm(
        request.GET if "report" in request.GET else None,
        initial={
            "report": "dispensing-record",
            "start": today.replace(day=1) if today.day > 1 else today - timedelta(days=30),
            "end": today,
        },
    )
    rows = None
    if form.is_bound and form.is_valid():
        name, start, end = (form.cleaned_data[k] for k in ("report", "start", "end"))
        try:
            reports.check_period(start, end)
        except InvalidInput as exc:
            put_error(form, exc)
        else:
            rows = reports.build(name, membership.clinic_id, start, end)
            audit(request, membership, "export", f"ledger.report {name}")
            fmt = request.GET.get("format", "")
            if fmt in DOWNLOADS:
                return reports.respond(
                    name, rows, fmt, clinic=membership.clinic, start=start, end=end
                )
    return render(
        request,
        "inventory/reports.html",
        {
            "form": form,
            "rows": rows,
            "columns": reports.headings(rows or []),
            "note": reports.NOTES.get(form.data.get("report", ""), "") if rows else "",
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def container_history(request: HttpRequest, container_id: str, fmt: str) -> HttpResponse:
    """One container's whole history, from its receipt to today, as CSV or PDF."""
    if fmt not in DOWNLOADS:
        raise Http404("CSV or PDF")
    membership = ledger_membership(request)
    container = clinic_container(membership, container_id)
    start = timezone.localtime(container.received_at).date()
    end = max(timezone.localdate(), start)
    rows = reports.build("container-history", membership.clinic_id, start, end, container)
    audit(request, membership, "export", f"ledger.report container-history {container.label}")
    return reports.respond(
        "container-history",
        rows,
        fmt,
        clinic=membership.clinic,
        start=start,
        end=end,
        container=container,
    )
