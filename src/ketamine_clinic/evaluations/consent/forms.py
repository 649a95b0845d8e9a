"""The consent signature form, at the desk (with its witness) and on a kiosk tablet."""

from __future__ import annotations

from django import forms

from ketamine_clinic.common.forms import StyledFormMixin


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
