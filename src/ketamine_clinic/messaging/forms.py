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


class MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class PostForm(StyledFormMixin, forms.Form):
    subject = forms.CharField(max_length=120, required=False)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}),
                           max_length=5000)  # fmt: skip
    attachments = forms.FileField(
        required=False, widget=MultipleFiles,
        help_text="Up to 3 images (PNG, JPEG) or PDFs, 5 MB each",
    )  # fmt: skip

    def __init__(self, *args: object, new: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if new:
            self.fields["subject"].required = True
        else:
            del self.fields["subject"]
