"""Forms for logging in, the second factor, and filtering the audit log."""

from __future__ import annotations

from django import forms

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.forms_base import StyledFormMixin


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(max_length=200, strip=False, widget=forms.PasswordInput)
    otp = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=12,
        help_text="Only if you have set up an authenticator app.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class OtpForm(StyledFormMixin, forms.Form):
    otp = forms.CharField(
        label="6-digit code",
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class AccessLogFilterForm(StyledFormMixin, forms.Form):
    username = forms.CharField(required=False, max_length=150)
    patient = forms.UUIDField(required=False, label="Patient id")
    action = forms.ChoiceField(required=False, choices=[("", "Any"), *AccessLog.Action.choices])
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
