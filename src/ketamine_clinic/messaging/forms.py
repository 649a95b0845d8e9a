"""The patient's choice of how the clinic contacts them."""

from __future__ import annotations

from django import forms

from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.messaging.models import Channel


class PreferenceForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label="Contact me by", choices=Channel.choices,
                                widget=forms.RadioSelect)  # fmt: skip
    reminders = forms.BooleanField(required=False, label="Appointment confirmations and reminders")
    questionnaires = forms.BooleanField(required=False, label="Links to my questionnaires")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
