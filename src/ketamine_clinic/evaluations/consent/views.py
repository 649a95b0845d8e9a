"""Consent screens: clinic documents, the patient's signature with a witness, withdrawal,
the signed PDF, and REMS enrolment."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketamine_clinic.accounts.current import current_membership
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, can
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.common.forms import StyledFormMixin, put_error
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent import queries as consent_queries
from ketamine_clinic.evaluations.consent.forms import SignForm, signing_page
from ketamine_clinic.evaluations.consent.models import PRODUCTS, Consent
from ketamine_clinic.evaluations.consent.pdf import consent_pdf_response
from ketamine_clinic.patients.access import (
    PatientAccess,
    get_chart_record_for_user,
    get_patient_for_user,
    own_chart,
    record_page_read,
)
from ketamine_clinic.patients.forms import DATE


class DocumentForm(StyledFormMixin, forms.Form):
    product = forms.ChoiceField(choices=PRODUCTS)
    title = forms.CharField(max_length=200)
    body_markdown = forms.CharField(
        label="Text (Markdown)",
        min_length=20,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 14}),
    )


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(max_length=1000, min_length=3)


class RemsForm(StyledFormMixin, forms.Form):
    enrolled_on = forms.DateField(widget=DATE)
    enrolment_id = forms.RegexField(label="REMS enrolment id", regex=r"^[A-Za-z0-9-]{3,60}$")
    patient_signed = forms.BooleanField(label="The patient signed the enrolment form")


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None or not can(membership.role, Capability.MANAGE_CONSENT_DOCUMENTS):
        raise PermissionDenied("your role does not edit consent documents")
    initial_product = request.GET.get("product", "iv_racemic")
    current = {
        code: consent_queries.current_document(membership.clinic_id, code) for code, _ in PRODUCTS
    }
    start = current.get(initial_product)
    form = DocumentForm(
        request.POST or None,
        initial={
            "product": initial_product,
            "title": start.title if start else "",
            "body_markdown": start.body_markdown if start else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        document = consent_actions.publish_document(
            web_actor(request),
            membership.clinic,
            form.cleaned_data["product"],
            form.cleaned_data["title"],
            form.cleaned_data["body_markdown"],
        )
        messages.success(request, f"Published {document.title}, version {document.version}.")
        return redirect("evaluations:consent_documents")
    return render(
        request,
        "evaluations/consent_documents.html",
        {"form": form, "current": [(label, current[code]) for code, label in PRODUCTS]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, patient_id: str, product: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.RECORD_CONSENT)
    if product not in consent_queries.PRODUCT_LABELS:
        raise Http404("no such product")
    document = consent_queries.current_document(access.patient.clinic_id, product)
    form = SignForm(request.POST or None)
    if request.method == "POST" and document is not None and form.is_valid():
        try:
            consent_actions.record_consent(
                web_actor(request),
                access,
                document,
                form.cleaned_data["signed_name"],
                form.cleaned_data["signature_typed"],
                form.cleaned_data["signature_image"],
            )
        except (InvalidInput, Conflict) as exc:
            put_error(form, exc)
        else:
            messages.success(request, "Consent signed and witnessed.")
            return redirect(reverse("patients:chart", args=[access.patient.pk]) + "#eligibility")
    record_page_read(request, access, "consent signing form")
    return signing_page(request, form, access.patient, document, product)


def _withdraw(request: HttpRequest, access: PatientAccess, consent: Consent, reason: str,
              level: int, done: str) -> None:  # fmt: skip
    """Withdraw the consent and say what happened: done, or why not (already withdrawn)."""
    try:
        consent_actions.withdraw_consent(web_actor(request), access, consent, reason)
    except Conflict as exc:
        messages.warning(request, str(exc))
    else:
        messages.add_message(request, level, done)


@login_required
@require_POST
def withdraw(request: HttpRequest, consent_id: str) -> HttpResponse:
    access, found = get_chart_record_for_user(
        request_user(request),
        Consent,
        consent_id,
        Capability.WITHDRAW_CONSENT,
        "document",
        "witness",
    )
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the consent is withdrawn.")
    else:
        _withdraw(request, access, found, form.cleaned_data["reason"], messages.WARNING,
                  "Consent withdrawn: no further doses until a new consent is signed.")  # fmt: skip
    return redirect(reverse("patients:chart", args=[found.patient_id]) + "#eligibility")


@login_required
@require_GET
def pdf(request: HttpRequest, consent_id: str) -> HttpResponse:
    access, found = get_chart_record_for_user(
        request_user(request), Consent, consent_id, Capability.VIEW_CLINICAL, "document", "witness"
    )
    return consent_pdf_response(request, access, found, "web")


@login_required
@require_http_methods(["GET", "POST"])
def rems(request: HttpRequest, patient_id: str) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.ENROL_REMS)
    form = RemsForm(request.POST or None, initial={"enrolled_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["enrolled_on"] > timezone.localdate():
            form.add_error("enrolled_on", "must not be in the future")
        else:
            consent_actions.enrol_rems(
                web_actor(request),
                access,
                form.cleaned_data["enrolled_on"],
                form.cleaned_data["enrolment_id"],
                form.cleaned_data["patient_signed"],
            )
            messages.success(request, "REMS patient enrolment recorded.")
            return redirect(reverse("patients:chart", args=[access.patient.pk]) + "#eligibility")
    record_page_read(request, access, "REMS enrolment form")
    return render(request, "evaluations/rems.html", {"form": form, "patient": access.patient})


@login_required
@require_http_methods(["GET", "POST"])
def my_consents(request: HttpRequest) -> HttpResponse:
    """The patient's own consents in the portal: each one read as signed (the PDF), and
    withdrawn here at any time, as the consent text promises."""
    patient, access = own_chart(request)
    consents = list(consent_queries.consents_of(patient))
    form = WithdrawForm(request.POST or None)
    failed = None  # the consent whose withdrawal form came back with an error
    if request.method == "POST":
        chosen = next((c for c in consents if str(c.pk) == request.POST.get("consent")), None)
        if chosen is None:
            raise Http404("no such consent of yours")
        if form.is_valid():
            _withdraw(request, access, chosen, form.cleaned_data["reason"], messages.SUCCESS,
                      "Your consent is withdrawn. Your care team will be in touch about what "
                      "happens next.")  # fmt: skip
            return redirect("evaluations:my_consents")
        failed = chosen.pk
    else:
        record_page_read(request, access, "consents")
    return render(request, "evaluations/my_consents.html",
                  {"consents": consents, "form": form, "failed": failed})  # fmt: skip
