"""Forms for logging in, the second factor, and filtering the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.safestring import mark_safe

from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.accounts.screen_lock import PIN_PATTERN
from ketamine_clinic.common.forms import StyledFormMixin


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


class UnlockForm(StyledFormMixin, forms.Form):
    secret = forms.CharField(
        label="Your PIN (or password)",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class PinForm(StyledFormMixin, forms.Form):
    pin = forms.CharField(
        label="New PIN (4 to 8 digits)",
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    pin_again = forms.CharField(
        label="The PIN again",
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pin = data.get("pin") or ""
        if pin and not PIN_PATTERN.match(pin):
            self.add_error("pin", "Use 4 to 8 digits.")
        elif pin and pin != data.get("pin_again"):
            self.add_error("pin_again", "The two PINs differ.")
        return data


class ClinicSettingsForm(StyledFormMixin, forms.Form):
    session = forms.CharField(
        label="Chair thresholds",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=mark_safe(  # constant text: the keys set as code
            "One <code>KEY=VALUE</code> a line, e.g. <code>esketamine_hold_mmhg=130/85</code> "
            "(only stricter than the library's); a line left out is the library's default. "
            "The keys are listed with the thresholds below."
        ),
    )
    eligibility = forms.CharField(
        label="Eligibility rules",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=mark_safe(  # constant text: the keys set as code
            "e.g. <code>min_failed_trials=3</code> or <code>rule.psychosis_history=relative</code>"
            " (only stricter)."
        ),
    )
    remission = forms.CharField(
        label="Remission cut-offs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=mark_safe(  # constant text: the keys set as code
            "One <code>INSTRUMENT=TOTAL</code> a line, e.g. <code>madrs=10</code> (remission "
            "below this total); a line left out is the instrument's published cut-off."
        ),
    )
    reason = forms.CharField(
        label="Why the settings change",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_session(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["session"].splitlines() if line.strip()]

    def clean_eligibility(self) -> list[str]:
        text = self.cleaned_data["eligibility"]
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_remission(self) -> list[str]:
        text = self.cleaned_data["remission"]
        return [line.strip() for line in text.splitlines() if line.strip()]


class AccessLogFilterForm(StyledFormMixin, forms.Form):
    username = forms.CharField(required=False, max_length=150)
    patient = forms.UUIDField(required=False, label="Patient id")
    action = forms.ChoiceField(required=False, choices=[("", "Any"), *AccessLog.Action.choices])
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class NewTokenForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="A token acts as you in the API until it expires or is revoked.",
    )
