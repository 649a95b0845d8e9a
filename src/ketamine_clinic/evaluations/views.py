"""Evaluation screens: the form, the decision with its reasons, overrides, sign and amend."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts import clinic_settings
from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.clinical.eligibility import OVERRIDE_BASES
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations import actions, queries
from ketamine_clinic.evaluations.consent.models import PRODUCTS
from ketamine_clinic.evaluations.consent.queries import consents_of, rems_enrolment
from ketamine_clinic.evaluations.forms import EvaluationForm, OverrideForm, VersionForm
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.evaluations.queries import treatment_gate, with_result
from ketamine_clinic.evaluations.schemas import EvaluationCreate
from ketamine_clinic.patients.access import (
    PatientAccess,
    get_chart_record_for_user,
    get_patient_for_user,
    record_page_read,
)
from ketamine_clinic.patients.forms import is_valid_all_at_once, validate_into


def _save_form(
    request: HttpRequest, access: PatientAccess, form: EvaluationForm, evaluation: Evaluation | None
) -> Evaluation | None:
    payload = validate_into(form, EvaluationCreate, form.schema_data())
    if payload is None:
        return None
    data = payload.model_dump()
    try:
        if evaluation is None:
            return actions.create_evaluation(web_actor(request), access, data)
        data.pop("overrides")
        return actions.update_evaluation(
            web_actor(request), access, evaluation, int(request.POST.get("version", 0)), data
        )
    except (Conflict, InvalidInput) as exc:
        form.add_error(None, str(exc))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.EVALUATE)
    form = EvaluationForm(request.POST or None, initial={"evaluated_on": timezone.localdate()})
    if request.method == "POST" and is_valid_all_at_once(form, EvaluationCreate):
        saved = _save_form(request, access, form, None)
        if saved is not None:
            return redirect("evaluations:detail", evaluation_id=saved.pk)
    record_page_read(request, access, "evaluation form")
    return render(request, "evaluations/form.html", {"form": form, "patient": access.patient})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.EVALUATE
    )
    if evaluation.is_signed:
        messages.warning(request, "A signed evaluation cannot be changed; amend it instead.")
        return redirect("evaluations:detail", evaluation_id=evaluation.pk)
    form = EvaluationForm(
        request.POST or None,
        instance=evaluation,
        initial={"medication_classes": evaluation.medication_classes},
    )
    if request.method == "POST" and is_valid_all_at_once(form, EvaluationCreate):
        saved = _save_form(request, access, form, queries.stored(evaluation.pk))
        if saved is not None:
            return redirect("evaluations:detail", evaluation_id=saved.pk)
    return render(
        request,
        "evaluations/form.html",
        {"form": form, "patient": access.patient, "evaluation": evaluation},
    )


@login_required
@require_GET
def detail(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.VIEW_CLINICAL
    )
    record_access(
        web_actor(request),
        action="read",
        what="evaluation",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    may_evaluate = can(access.role, Capability.EVALUATE)
    return render(
        request,
        "evaluations/detail.html",
        {
            "evaluation": with_result(evaluation),
            "patient": access.patient,
            "may_evaluate": may_evaluate,
            "override_bases": list(OVERRIDE_BASES.items()),
            "settings_version": clinic_settings.in_force(access.patient.clinic_id),
            "amendments": queries.amendments(evaluation),
        },
    )


@login_required
@require_POST
def override(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.EVALUATE
    )
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Choose the basis and give a written reason of at least 10 characters."
        )
        return redirect("evaluations:detail", evaluation_id=evaluation.pk)
    overrides = {
        **(evaluation.overrides or {}),
        form.cleaned_data["code"]: {
            "basis": form.cleaned_data["basis"],
            "reason": form.cleaned_data["reason"],
        },
    }
    try:
        actions.update_evaluation(
            web_actor(request),
            access,
            evaluation,
            form.cleaned_data["version"],
            {"overrides": overrides},
        )
    except (Conflict, InvalidInput) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Override recorded.")
    return redirect("evaluations:detail", evaluation_id=evaluation.pk)


@login_required
@require_POST
def sign(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.EVALUATE
    )
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            actions.sign_evaluation(
                web_actor(request), access, evaluation, form.cleaned_data["version"]
            )
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, "Evaluation signed. It can no longer be changed; amend it if needed."
            )
    return redirect("evaluations:detail", evaluation_id=evaluation.pk)


@login_required
@require_POST
def amend(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    access, evaluation = get_chart_record_for_user(
        request_user(request), Evaluation, evaluation_id, Capability.EVALUATE
    )
    try:
        amendment = actions.amend_evaluation(web_actor(request), access, evaluation)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("evaluations:detail", evaluation_id=evaluation.pk)
    return redirect("evaluations:edit", evaluation_id=amendment.pk)


@login_required
@require_GET
def chart_section(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The chart's eligibility card: the latest evaluation and what the gate still needs."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    evaluations = list(queries.evaluations_of(access.patient, active=True)[:5])
    latest = evaluations[0] if evaluations else None
    signed = next((e for e in evaluations if e.is_signed), None)
    product = signed.product if signed else (latest.product if latest else "iv_racemic")
    record_access(
        web_actor(request),
        action="read",
        what="eligibility",
        clinic=access.patient.clinic_id,
        patient_id=access.patient.pk,
        role=access.role,
    )
    return render(
        request,
        "evaluations/partials/chart_section.html",
        {
            "patient": access.patient,
            "latest": with_result(latest) if latest else None,
            "signed": signed,
            "missing": treatment_gate(access.patient, product, timezone.localdate()),
            "product_label": dict(Evaluation.Product.choices)[product],
            "may_evaluate": can(access.role, Capability.EVALUATE) and not access.patient.in_error,
            "consents": consents_of(access.patient),
            "rems": rems_enrolment(access.patient),
            "products": PRODUCTS,
            "may_record_consent": can(access.role, Capability.RECORD_CONSENT)
            and not access.patient.in_error,
            "may_withdraw": can(access.role, Capability.WITHDRAW_CONSENT),
            "may_enrol_rems": can(access.role, Capability.ENROL_REMS)
            and not access.patient.in_error,
        },
    )
