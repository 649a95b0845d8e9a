"""The course order form; the API's schema validates it."""

from __future__ import annotations

from django import forms

from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.forms_base import StyledFormMixin
from ketamine_clinic.patients.forms import DATE


class CourseForm(StyledFormMixin, forms.Form):
    protocol = forms.ChoiceField(choices=[(p.id, p.name) for p in LIBRARY.values()])
    dose_mg_per_kg = forms.DecimalField(
        label="Dose (mg/kg)", required=False, decimal_places=3, max_digits=6
    )
    dose_mg = forms.TypedChoiceField(
        label="Esketamine dose (mg)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (28, "28 mg"), (56, "56 mg"), (84, "84 mg")],
    )
    concentration_mg_per_ml = forms.DecimalField(
        label="Vial concentration (mg/mL)", required=False, decimal_places=3, max_digits=7
    )
    duration_min = forms.DecimalField(
        label="Infusion (min)", required=False, decimal_places=1, max_digits=5
    )
    start_on = forms.DateField(label="First session", widget=DATE)
    planned_sessions = forms.IntegerField(
        label="Induction sessions", required=False, min_value=1, max_value=12
    )
    override_reason = forms.CharField(
        label="Override reason",
        required=False,
        max_length=2000,
        help_text="Only when the dose is outside the protocol: say why.",
    )


class MoveForm(StyledFormMixin, forms.Form):
    on = forms.DateField(widget=DATE, label="New date")
    version = forms.IntegerField(widget=forms.HiddenInput)


class MarkForm(StyledFormMixin, forms.Form):
    note = forms.CharField(max_length=1000, min_length=3)
    version = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(choices=[("cancelled", "Cancel"), ("missed", "Missed")])
