"""Counts and reconciliation on the vault's screens, and the loss report a shortfall opens,
with its two DEA deadlines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical import reconciliation
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.formats import dose
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.inventory import actions, queries
from ketamine_clinic.inventory.access import audit, ledger_membership, may
from ketamine_clinic.inventory.forms import CountForm, Form106Form, NoticeForm
from ketamine_clinic.inventory.models import Container, Count


@login_required
@require_GET
def count_list(request: HttpRequest) -> HttpResponse:
    membership = ledger_membership(request)
    clinic = membership.clinic
    audit(request, membership, "list", "ledger.counts")
    return render(
        request,
        "inventory/counts.html",
        {
            "counts": queries.recent_counts(clinic.pk),
            "tasks": queries.ledger_tasks(clinic.pk),
            "biennial_due": reconciliation.biennial_due(queries.last_inventory_on(clinic.pk)),
            "closed_reports": queries.closed_loss_reports(clinic.pk),
            **may(membership),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def count_new(request: HttpRequest) -> HttpResponse:
    membership = ledger_membership(request, Capability.RECORD_LEDGER, Capability.MANAGE_LEDGER)
    clinic = membership.clinic
    stocked = list(queries.containers(clinic.pk))
    registration = queries.registration(clinic.pk)
    first = queries.last_inventory_on(clinic.pk) is None
    form = CountForm(
        request.POST or None,
        containers=stocked,
        initial={"kind": Count.Kind.INITIAL if first else Count.Kind.AD_HOC},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entered = [
            queries.Entered(c.pk, data[f"q_{c.pk}"], data[f"u_{c.pk}"], data[f"e_{c.pk}"])
            for c in stocked
        ]
        try:
            count, _outcome, report = actions.record_count(
                web_actor(request),
                clinic,
                kind=data["kind"],
                time_of_day=data["time_of_day"],
                taken_at=timezone.now(),
                counted=queries.counted_lines(clinic.pk, entered),
                note=data["note"],
            )
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc, _line_field(exc, stocked))
        else:
            if report is not None:
                messages.warning(
                    request,
                    f"{dose(report.quantity_mg)} mg is missing against the books: a loss report is "
                    "open with its DEA deadlines.",
                )
            else:
                messages.success(request, "Count recorded.")
            return redirect("inventory:count", count.pk)
    return render(
        request,
        "inventory/count_form.html",
        {"form": form, "exact_counts": registration is not None and registration.exact_counts},
    )


def _line_field(exc: Exception, stocked: list[Container]) -> str | None:
    """`lines[2].estimated` from the rules is the form's `e_<id>` of the third container."""
    field = getattr(exc, "field", "") or ""
    if not field.startswith("lines["):
        return None
    index, _, name = field[6:].partition("].")
    prefix = {"estimated": "e", "unit": "u"}.get(name, "q")
    return f"{prefix}_{stocked[int(index)].pk}" if index.isdigit() else None


@login_required
@require_GET
def count_detail(request: HttpRequest, count_id: str) -> HttpResponse:
    membership = ledger_membership(request)
    count = queries.count(membership.clinic_id, count_id)
    if count is None:
        raise Http404("no such count")
    lines = [
        {"line": line, "difference": line.counted_mg - line.expected_mg}
        for line in queries.count_lines(count)
    ]
    audit(request, membership, "read", f"ledger.count {count.pk}")
    return render(
        request,
        "inventory/count.html",
        {"count": count, "lines": lines, "reports": queries.loss_reports_of(count)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def loss_report(request: HttpRequest, report_id: str) -> HttpResponse:
    membership = ledger_membership(request)
    report = queries.loss_report(report_id, membership.clinic_id)
    if report is None:
        raise Http404("no such loss report")
    notice = NoticeForm(
        request.POST if request.POST.get("step") == "notice" else None,
        initial={"version": report.version, "sent_on": timezone.localdate()},
        prefix="notice",
    )
    form_106 = Form106Form(
        request.POST if request.POST.get("step") == "form_106" else None,
        initial={"version": report.version, "filed_on": timezone.localdate()},
        prefix="f106",
    )
    if request.method == "POST":
        ledger_membership(request, Capability.MANAGE_LEDGER)
        actor = web_actor(request)
        try:
            if notice.is_bound and notice.is_valid():
                d = notice.cleaned_data
                actions.record_notice(actor, report, d["version"], d["sent_on"])
                messages.success(request, "The DEA notice is recorded as sent.")
                return redirect("inventory:loss_report", report.pk)
            if form_106.is_bound and form_106.is_valid():
                d = form_106.cleaned_data
                actions.record_form_106(actor, report, d["version"], d["filed_on"], d["reference"])
                messages.success(request, "DEA Form 106 is recorded as filed.")
                return redirect("inventory:loss_report", report.pk)
        except (InvalidInput, Conflict) as exc:
            put_error(notice if notice.is_bound else form_106, exc)
    today = timezone.localdate()
    audit(request, membership, "read", f"ledger.loss_report {report.pk}")
    return render(
        request,
        "inventory/loss_report.html",
        {
            "report": report,
            "notice_status": queries.deadline(report.notice_due, report.notice_sent_on, today),
            "form_106_status": queries.deadline(
                report.form_106_due, report.form_106_filed_on, today
            ),
            "notice_form": notice,
            "form_106_form": form_106,
            "history": queries.history(report),
            **may(membership),
        },
    )
