"""Predicted concentrations on the order and course screens, and the what-if view that puts
two schedules side by side. Every chart is labelled as a model estimate with its source."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.assessments.charts import render_svg
from ketamine_clinic.clinical.dose_patterns import PATTERNS
from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.patients.access import (
    get_patient_for_user,
    record_page_read,
    record_patient_access,
)
from ketamine_clinic.pk.errors import PKError
from ketamine_clinic.treatment.access import course_for_user
from ketamine_clinic.treatment.models import Course
from ketamine_clinic.treatment.queries import pk_plans


def _svg(spec: dict[str, Any]) -> HttpResponse:
    return HttpResponse(render_svg(spec), content_type="image/svg+xml")


def _problem_svg(message: str) -> HttpResponse:
    """A chart that cannot be drawn says why, in the image itself."""
    return _svg(
        {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "width": 640,
            "height": 60,
            "data": {"values": [{"m": f"No prediction: {message}"}]},
            "mark": {"type": "text", "align": "left", "x": 0, "y": 30, "fontSize": 13},
            "encoding": {"text": {"field": "m"}},
            "config": {"view": {"stroke": None}},
        }
    )


def _course(request: HttpRequest, course_id: str) -> tuple[Any, Course]:
    access, course = course_for_user(request_user(request), course_id, Capability.VIEW_CLINICAL)
    if not pk_plans.supported(course.product):
        raise Http404("no model for this product")
    return access, course


@login_required
@require_GET
def course_chart(request: HttpRequest, course_id: str) -> HttpResponse:
    """This patient's predicted curve for the current order: one dose, or the schedule."""
    access, course = _course(request, course_id)
    order = pk_plans.current_order(course)
    if order is None:
        raise Http404("no order yet")
    days = pk_plans.schedule_days(course) if request.GET.get("scope") == "schedule" else (0.0,)
    cov, _notes = pk_plans.covariates(access.patient)
    record_patient_access(web_actor(request), access, "read", "pk prediction")
    try:
        result = pk_plans.predict(pk_plans.order_plan(order, days), cov)
    except PKError as exc:
        return _problem_svg(exc.message)
    return _svg(pk_plans.chart_spec([("this order", result)]))


@login_required
@require_GET
def preview_chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The order form's curve for what is typed so far (one dose)."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.ORDER_TREATMENT)
    product = request.GET.get("product", "")
    if not pk_plans.supported(product):
        raise Http404("no model for this product")
    try:
        dose = Decimal(request.GET.get("dose_mg", ""))
        duration = Decimal(request.GET["duration_min"]) if request.GET.get("duration_min") else None
    except (InvalidOperation, ValueError):
        return _problem_svg("the dose is not a number yet")
    cov, _notes = pk_plans.covariates(access.patient)
    record_patient_access(web_actor(request), access, "read", "pk prediction")
    try:
        plan = pk_plans.Plan("this dose", product, dose, duration, (0.0,))
        result = pk_plans.predict(plan, cov)
    except PKError as exc:
        return _problem_svg(exc.message)
    return _svg(pk_plans.chart_spec([("this dose", result)]))


def _days(text: str) -> tuple[float, ...]:
    try:
        days = tuple(float(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise forms.ValidationError("days as numbers separated by commas, e.g. 0,3,7") from None
    if not days or any(d < 0 or d > pk_plans.MAX_PLAN_DAYS for d in days):
        raise forms.ValidationError(f"one or more days from 0 to {pk_plans.MAX_PLAN_DAYS}")
    return tuple(sorted(set(days)))


# Dose days a prescriber picks instead of typing: the course's own, the library's phases
# (clinical.dose_patterns, each with its source), or days typed.
PATTERN_CHOICES = [
    ("course", "This course's schedule"),
    *((key, pattern.label) for key, pattern in PATTERNS.items()),
    ("custom", "Days I type"),
]


class WhatIfForm(StyledFormMixin, forms.Form):
    a_dose_mg = forms.DecimalField(label="Plan A: dose (mg)", min_value=Decimal("0.1"),
                                   max_value=Decimal(1000), decimal_places=1)  # fmt: skip
    a_pattern = forms.ChoiceField(label="Plan A: schedule", choices=PATTERN_CHOICES,
                                  required=False)  # fmt: skip
    a_days = forms.CharField(label="Plan A: days of the doses", max_length=500, required=False,
                             help_text="With \u201cDays I type\u201d: e.g. 0,3,7 (day 0 is "
                             "the first dose)")  # fmt: skip
    b_dose_mg = forms.DecimalField(label="Plan B: dose (mg)", min_value=Decimal("0.1"),
                                   max_value=Decimal(1000), decimal_places=1)  # fmt: skip
    b_pattern = forms.ChoiceField(label="Plan B: schedule", choices=PATTERN_CHOICES,
                                  required=False)  # fmt: skip
    b_days = forms.CharField(label="Plan B: days of the doses", max_length=500, required=False,
                             help_text="With \u201cDays I type\u201d: e.g. 0,7,14")  # fmt: skip
    duration_min = forms.DecimalField(
        label="Infusion length (min, IV)", required=False, min_value=Decimal(1),
        max_value=Decimal(1440),
    )  # fmt: skip
    asian = forms.BooleanField(label="Asian ancestry (esketamine model)", required=False)

    def __init__(self, *args: Any, course_days: tuple[float, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.course_days = course_days

    def clean(self) -> dict[str, Any]:
        """Each plan's days: from its pattern, or typed (a link with days and no pattern, as
        bookmarked before patterns, is typed days)."""
        data = super().clean() or {}
        for key in ("a", "b"):
            pattern = data.get(f"{key}_pattern") or "custom"
            typed = data.get(f"{key}_days") or ""
            if pattern == "course":
                days = self.course_days
            elif pattern == "custom":
                if not typed:
                    self.add_error(f"{key}_days", "Type the days, or choose a schedule.")
                    continue
                try:
                    days = _days(typed)
                except forms.ValidationError as exc:
                    self.add_error(f"{key}_days", exc)
                    continue
            else:
                days = tuple(float(d) for d in PATTERNS[pattern].days)
            data[f"{key}_days"] = days
        return data


def _plans(course: Course, data: dict[str, Any]) -> list[pk_plans.Plan]:
    return [
        pk_plans.Plan(
            f"Plan {key.upper()}: {data[f'{key}_dose_mg']:g} mg on days "
            + ", ".join(f"{d:g}" for d in data[f"{key}_days"]),
            course.product,
            data[f"{key}_dose_mg"],
            data["duration_min"],
            data[f"{key}_days"],
        )
        for key in ("a", "b")
    ]


def _compare(course: Course, cov: Any, data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    plans = _plans(course, data)
    end = max(pk_plans.horizon(p)[0] for p in plans)
    return [(p.label, pk_plans.predict(p, cov, end=end)) for p in plans]


def _course_days(course: Course) -> tuple[float, ...]:
    return tuple(float(d) for d in pk_plans.schedule_days(course))


def _defaults(course: Course) -> dict[str, Any]:
    order = pk_plans.current_order(course)
    calc = order.calculation if order else {}
    return {
        "a_dose_mg": calc.get("dose_mg"),
        "a_pattern": "course",
        "b_dose_mg": calc.get("dose_mg"),
        "b_pattern": "1x4",
        "duration_min": calc.get("duration_min"),
    }


@login_required
@require_GET
def what_if(request: HttpRequest, course_id: str) -> HttpResponse:
    access, course = _course(request, course_id)
    form = WhatIfForm(request.GET if "a_dose_mg" in request.GET else None,
                      initial=_defaults(course), course_days=_course_days(course))  # fmt: skip
    asian = bool(form.is_bound and form.is_valid() and form.cleaned_data["asian"])
    cov, notes = pk_plans.covariates(access.patient, asian)
    rows, problem = [], ""
    if form.is_bound and form.is_valid():
        record_patient_access(web_actor(request), access, "read", "pk what-if")
        try:
            rows = pk_plans.summary_rows(_compare(course, cov, form.cleaned_data))
        except PKError as exc:
            problem = exc.message
    record_page_read(request, access, "what-if curves")
    return render(
        request,
        "treatment/what_if.html",
        {
            "course": course,
            "patient": access.patient,
            "form": form,
            "rows": rows,
            "problem": problem,
            "notes": notes,
            "query": request.GET.urlencode(),
            "estimate": pk_plans.ESTIMATE,
            "patterns": PATTERNS.values(),
        },
    )


@login_required
@require_GET
def what_if_chart(request: HttpRequest, course_id: str) -> HttpResponse:
    access, course = _course(request, course_id)
    form = WhatIfForm(request.GET, course_days=_course_days(course))
    if not form.is_valid():
        return _problem_svg("the plans are not complete")
    cov, _notes = pk_plans.covariates(access.patient, form.cleaned_data["asian"])
    record_patient_access(web_actor(request), access, "read", "pk what-if")
    try:
        return _svg(pk_plans.chart_spec(_compare(course, cov, form.cleaned_data)))
    except PKError as exc:
        return _problem_svg(exc.message)
