"""The consent signature form, at the desk (with its witness) and on a kiosk tablet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.common.markdown import render_markdown
from ketamine_clinic.evaluations.consent.queries import PRODUCT_LABELS


class SignForm(StyledFormMixin, forms.Form):
    signed_name = forms.CharField(label="Your full name", max_length=200)
    signature_typed = forms.CharField(
        label="Type your signature",
        max_length=200,
        required=False,
        help_text="Or sign with your finger in the box below.",
    )
    signature_image = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300_000)
    witnessed = forms.BooleanField(label="I witnessed the patient read and sign this consent")


class PatientSignForm(SignForm):
    """On a clinic tablet the patient signs alone; the witness confirms on handing back."""

    witnessed = None  # type: ignore[assignment]


def signing_page(
    request: HttpRequest,
    form: SignForm,
    patient: Any,
    document: Any,
    product: str,
    *,
    kiosk: bool = False,
) -> HttpResponse:
    """The consent as the patient reads and signs it: at the desk, or alone on the tablet."""
    return render(
        request,
        "evaluations/consent_sign.html",
        {
            "form": form,
            "patient": patient,
            "document": document,
            "body": render_markdown(document.body_markdown) if document else "",
            "product_label": PRODUCT_LABELS[product],
            "kiosk": kiosk,
        },
    )
