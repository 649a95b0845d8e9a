"""The chair's forms: small, one task each, big enough to tap on a tablet."""

from __future__ import annotations

from typing import Any

from django import forms

from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.patients.forms import DATETIME
from ketamine_clinic.treatment_sessions.models import AdverseEvent, PreDoseCheck

# Last food and liquids are entered with a tap ("2 h ago") as well as typed (app.js).
QUICK_TIME = forms.DateTimeInput(
    attrs={"type": "datetime-local", "data-quick-time": "0,1,2,4,6,8"}, format="%Y-%m-%dT%H:%M"
)


class ChecksForm(StyledFormMixin, forms.Form):
    """The chair's pre-dose checks, with only the questions that fit this patient and product:
    the nasal spray's question for esketamine alone, and pregnancy answered by the nurse for
    anyone who could be pregnant (never a default there)."""

    identity_confirmed = forms.BooleanField(required=False, label="Identity confirmed")
    ride_home = forms.BooleanField(required=False, label="Ride home arranged")
    ride_name = forms.CharField(max_length=200, required=False, label="Who takes them home")
    last_food_at = forms.DateTimeField(required=False, widget=QUICK_TIME, label="Last food")
    last_liquid_at = forms.DateTimeField(required=False, widget=QUICK_TIME, label="Last liquids")
    nasal_steroid_decongestant_at = forms.DateTimeField(
        required=False, widget=DATETIME, label="Last nasal steroid or decongestant"
    )
    pregnancy = forms.ChoiceField(
        choices=[("", "Choose…"), *PreDoseCheck.Pregnancy.choices], label="Pregnancy"
    )
    intoxicated = forms.BooleanField(
        required=False, label="Signs of intoxication (alcohol or drugs)"
    )
    urinary_symptoms = forms.ChoiceField(
        required=False,
        choices=[("", "Not asked"), ("none", "None"), ("present", "Present")],
        label="Urinary or bladder symptoms (frequency, urgency, pain, blood)",
    )
    medication_changes = forms.CharField(
        max_length=2000, required=False, label="Medication changes since last time"
    )
    benzodiazepines = forms.BooleanField(required=False, label="Benzodiazepines")
    non_benzodiazepine_sedative_hypnotics = forms.BooleanField(
        required=False, label="Non-benzodiazepine sedative hypnotics"
    )
    psychostimulants = forms.BooleanField(required=False, label="Psychostimulants")
    maois = forms.BooleanField(required=False, label="MAOIs")
    opioids = forms.BooleanField(required=False, label="Opioids")

    def __init__(self, *args: Any, esketamine: bool, sex: str, **kwargs: Any) -> None:
        if sex == "male":
            kwargs.setdefault("initial", {"pregnancy": PreDoseCheck.Pregnancy.NOT_APPLICABLE})
        super().__init__(*args, **kwargs)
        if not esketamine:
            del self.fields["nasal_steroid_decongestant_at"]


class VitalsForm(StyledFormMixin, forms.Form):
    systolic_mmhg = forms.IntegerField(required=False, label="Systolic (mmHg)")
    diastolic_mmhg = forms.IntegerField(required=False, label="Diastolic (mmHg)")
    heart_rate_bpm = forms.IntegerField(required=False, label="Heart rate (/min)")
    spo2_pct = forms.IntegerField(required=False, label="SpO2 (%)")
    respiratory_rate_per_min = forms.IntegerField(required=False, label="Resp. rate (/min)")


class DoseForm(StyledFormMixin, forms.Form):
    action = forms.CharField(max_length=20, widget=forms.HiddenInput)
    container = forms.UUIDField(required=False, label="Container")
    drawn_mg = forms.DecimalField(required=False, decimal_places=2, label="Drawn up (mg)")
    given_mg = forms.DecimalField(required=False, decimal_places=2, label="Given (mg)")
    rate_ml_per_h = forms.DecimalField(required=False, decimal_places=2, label="Rate (mL/h)")
    note = forms.CharField(max_length=1000, required=False, label="Note")


class ObservationForm(StyledFormMixin, forms.Form):
    scale = forms.ChoiceField(
        choices=[("moaas", "MOAA/S"), ("cadss", "CADSS"), ("bprs_plus", "BPRS+")]
    )
    score = forms.IntegerField(min_value=0, max_value=92, label="Score")


class AdverseEventForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=AdverseEvent.Kind.choices, label="Event")
    severity = forms.ChoiceField(choices=AdverseEvent.Severity.choices, label="Severity")
    action_taken = forms.CharField(max_length=1000, required=False, label="Action taken")
    serious = forms.BooleanField(required=False, label="Serious adverse event")


class ReadyForm(StyledFormMixin, forms.Form):
    responsible_adult = forms.CharField(max_length=200, label="Responsible adult taking them home")
    ready_without_rule_min = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=600,
        label="Would have been ready after (min), without the 2-hour rule",
    )
    vitals_override_reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Prescriber: reason to let them go with vitals out of range",
    )
