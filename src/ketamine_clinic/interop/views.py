"""The outcome report on screen for the owner and prescribers: filters, tables, the
durability curve and the response chart, and the CSV."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from ketamine_clinic.accounts import queries
from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.models import Membership
from ketamine_clinic.accounts.requests import web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.assessments.catalogue import instruments_for
from ketamine_clinic.assessments.charts import render_svg
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.forms import StyledFormMixin, put_error
from ketamine_clinic.interop import outcome_report
from ketamine_clinic.patients.forms import DATE
from ketamine_clinic.treatment.queries.protocols import available, names


class OutcomeFilters(StyledFormMixin, forms.Form):
    start = forms.DateField(widget=DATE)
    end = forms.DateField(widget=DATE)
    prescriber = forms.ChoiceField(required=False)
    protocol = forms.ChoiceField(required=False)
    instrument = forms.ChoiceField()

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prescribers = queries.prescribers(clinic)
        self._choices("prescriber", [("", "All prescribers")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in prescribers])  # fmt: skip
        self._choices("protocol", [("", "All protocols")] + [
            (p.id, p.name) for p in available(clinic.pk)])  # fmt: skip
        self._choices("instrument", [
            (i.id, i.short_name) for i in instruments_for(clinic.pk).values()
            if i.outcome_measure])  # fmt: skip

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared above
        field.choices = choices


def _membership(request: HttpRequest) -> Membership:
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.VIEW_REPORTS):
        raise PermissionDenied("your role does not see the clinic's outcomes")
    return membership


def _report(request: HttpRequest, membership: Membership) -> tuple[Any, dict[str, Any] | None]:
    today = timezone.localdate()
    form = OutcomeFilters(
        request.GET if "start" in request.GET else None,
        clinic=membership.clinic,
        initial={"start": today - timedelta(days=365), "end": today, "instrument": "phq9"},
    )
    if not form.is_bound:
        form = OutcomeFilters(form.initial, clinic=membership.clinic)
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    filters = outcome_report.Filters(d["start"], d["end"], d["prescriber"] or None,
                                     d["protocol"] or None, d["instrument"])  # fmt: skip
    try:
        report = outcome_report.build(membership.clinic, filters)
    except InvalidInput as exc:
        put_error(form, exc)
        return form, None
    record_access(web_actor(request), action="export", what="report.outcomes",
                  clinic=membership.clinic)  # fmt: skip
    return form, report


@login_required
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    form, report = _report(request, membership)
    if report is not None and request.GET.get("format") == "csv":
        response = HttpResponse(outcome_report.as_csv(report), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
        return response
    query = request.GET.urlencode() or "&".join(f"{k}={v}" for k, v in form.data.items())
    if report is not None:  # the screen names protocols and writes dates as people read them
        period = report["filters"]
        period["shown"] = " to ".join(
            date_format(date.fromisoformat(period[k])) for k in ("start", "end")
        )
        known = names(membership.clinic_id)
        for group in report["by_group"]:
            group["protocol_name"] = known.get(group["protocol"], group["protocol"])
    return render(request, "interop/outcomes.html", {"form": form, "report": report,
                                                     "query": query})  # fmt: skip


@login_required
@require_GET
def durability_chart(request: HttpRequest) -> HttpResponse:
    """The Kaplan-Meier curve: the share of responders still responding, by day."""
    membership = _membership(request)
    _form, report = _report(request, membership)
    curve = report["durability"]["curve"] if report else []
    points = [{"day": 0, "survival": 1.0}] + [
        {"day": s["day"], "survival": s["survival"]} for s in curve
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 560,
        "height": 220,
        "title": "Still responding, by days since the first response (Kaplan-Meier)",
        "data": {"values": points},
        "mark": {"type": "line", "interpolate": "step-after", "point": True},
        "encoding": {
            "x": {"field": "day", "type": "quantitative", "title": "Days since first response"},
            "y": {"field": "survival", "type": "quantitative", "title": "Share still responding",
                  "scale": {"domain": [0, 1]}, "axis": {"format": "%"}},
        },
        "config": {"font": "sans-serif", "view": {"stroke": None}},
    }  # fmt: skip
    return HttpResponse(render_svg(spec), content_type="image/svg+xml")


@login_required
@require_GET
def response_chart(request: HttpRequest) -> HttpResponse:
    """Response and remission now, by protocol and route: bars of the share of patients."""
    membership = _membership(request)
    _form, report = _report(request, membership)
    values = [
        {"group": f"{g['protocol']} ({g['route']})", "measure": measure, "pct": g[key] or 0}
        for g in (report["by_group"] if report else [])
        for measure, key in (("Responding now", "response_now_pct"),
                             ("In remission now", "remission_now_pct"))
    ]  # fmt: skip
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 560,
        "title": "Response and remission now, by protocol (share of patients measured)",
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "group", "type": "nominal", "title": None},
            "yOffset": {"field": "measure"},
            "x": {"field": "pct", "type": "quantitative", "title": "%",
                  "scale": {"domain": [0, 100]}},
            "color": {"field": "measure", "type": "nominal", "title": None,
                      "legend": {"orient": "bottom"}},
        },
        "config": {"font": "sans-serif", "view": {"stroke": None}},
    }  # fmt: skip
    return HttpResponse(render_svg(spec), content_type="image/svg+xml")
