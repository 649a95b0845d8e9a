"""The evaluation form: Django renders it, the API schema validates it."""

from __future__ import annotations

from typing import Any

from django import forms

from ketamine_clinic.clinical.eligibility import OVERRIDE_BASES
from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.evaluations.models import Evaluation
from ketamine_clinic.patients.forms import DATE

FIELDS = [
    "evaluated_on",
    "diagnosis",
    "product",
    "indication",
    "label_region",
    "episode_months",
    "episode_severity",
    "systolic_mmhg",
    "diastolic_mmhg",
    "psychosis_history",
    "current_psychosis",
    "current_mania",
    "ketamine_misuse",
    "substance_use",
    "urine_tox",
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_haemorrhage",
    "cardiovascular_event_weeks_ago",
    "unstable_cardiorespiratory",
    "raised_intracranial_pressure",
    "hepatic_impairment",
    "pregnant",
    "breastfeeding",
    "hypersensitivity",
    "narrative",
]
INTERACTIONS = [
    ("benzodiazepine", "Benzodiazepines"),
    ("opioid", "Opioids"),
    ("sedative_hypnotic", "Non-benzodiazepine sedative hypnotics"),
    ("stimulant", "Psychostimulants"),
    ("maoi", "MAO inhibitors"),
]


class EvaluationForm(StyledFormMixin, forms.ModelForm):
    medication_classes = forms.MultipleChoiceField(
        label="Currently takes",
        choices=INTERACTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Evaluation
        fields = FIELDS
        widgets = {"evaluated_on": DATE, "narrative": forms.Textarea(attrs={"rows": 6})}

    def schema_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data["medication_classes"] = list(self.cleaned_data.get("medication_classes") or [])
        return data


class OverrideForm(StyledFormMixin, forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=60)
    basis = forms.ChoiceField(label="Basis", choices=list(OVERRIDE_BASES.items()))
    reason = forms.CharField(label="Why you override it", min_length=10, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
