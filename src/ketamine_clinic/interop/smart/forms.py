"""The owner's form to register a SMART app. Rules are checked by the action."""

from __future__ import annotations

from typing import Any

from django import forms

from ketamine_clinic.common.forms import StyledFormMixin


class AppForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=255, help_text="As people see it when they allow it")
    redirect_uris = forms.CharField(
        label="Redirect addresses",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Where the app is sent back after sign-in, exactly as it sends it; one a line",
    )
    launch_url = forms.CharField(  # its scheme is checked by the action, never assumed
        label="Launch address (optional)",
        required=False,
        max_length=200,
        help_text="For opening it from a patient's chart",
    )
    confidential = forms.BooleanField(
        label="Runs on a server and keeps a secret", required=False,
        help_text="Leave unticked for an app in a browser or on a phone (it proves itself "
        "with PKCE instead)",
    )  # fmt: skip

    def addresses(self) -> list[str]:
        data: Any = self.cleaned_data.get("redirect_uris", "")
        return [line.strip() for line in str(data).splitlines() if line.strip()]
