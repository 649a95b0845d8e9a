"""A form built from an instrument definition: one radio group per item."""

from __future__ import annotations

from typing import Any

from django import forms

from ketamine_clinic.assessments.models import Context
from ketamine_clinic.clinical.instruments import Instrument
from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.patients.forms import DATETIME


def answers_form_class(instrument: Instrument, *, staff: bool) -> type[forms.Form]:
    fields: dict[str, forms.Field] = {}
    for item in instrument.items:
        values = range(item.min, item.max + 1)
        choices = [(v, item.label_for(v) if item.choices else str(v)) for v in values]
        fields[f"item_{item.id}"] = forms.TypedChoiceField(
            label=item.text, choices=choices, coerce=int, widget=forms.RadioSelect
        )
    if staff:
        fields["administered_at"] = forms.DateTimeField(label="Given at", widget=DATETIME)
        fields["context"] = forms.ChoiceField(choices=Context.choices, initial=Context.AD_HOC)

    def answers(self: forms.Form) -> dict[str, Any]:
        return {
            key.removeprefix("item_"): value
            for key, value in self.cleaned_data.items()
            if key.startswith("item_")
        }

    attrs: dict[str, Any] = {**fields, "answers": answers, "instrument": instrument}
    return type(f"{instrument.id.title()}Form", (StyledFormMixin, forms.Form), attrs)


class AcknowledgeForm(StyledFormMixin, forms.Form):
    action_note = forms.CharField(
        label="What did you do?",
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. 'Called Ms. Chen at 21:10; no plan or intent; safety plan reviewed.'",
    )


class LinkForm(StyledFormMixin, forms.Form):
    instrument = forms.ChoiceField()
    context = forms.ChoiceField(choices=Context.choices, initial=Context.AD_HOC)
    expires_in_hours = forms.IntegerField(min_value=1, max_value=24 * 14, initial=48)

    def __init__(self, *args: Any, instruments: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared just above
        field.choices = [(i.id, i.short_name) for i in instruments]


class DefinitionUploadForm(StyledFormMixin, forms.Form):
    definition = forms.FileField(
        label="Definition file (JSON)",
        help_text="See the published schema; instruments under licence are loaded only by "
        "clinics that hold the licence.",
    )
