"""Screens' forms. Rendering is Django's; validation is the API's schema, so a rule written
once holds for both doors."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db.models import Field
from ninja import Schema
from pydantic import ValidationError

from ketamine_clinic.common.forms import StyledFormMixin, clinician_message
from ketamine_clinic.patients.models import Patient, Sex
from ketamine_clinic.patients.records import RecordKind

S = TypeVar("S", bound=Schema)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def validate_into(form: forms.BaseForm, schema: type[S], data: dict[str, Any]) -> S | None:
    """Validate cleaned form data with the API schema; put its errors on the form's fields."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else None
            if field in form.errors:
                continue  # the form's own check already speaks for this field
            mine = field in form.fields
            label = form.fields[field].label if mine else (field or "This value")  # type: ignore[index]
            context = dict(error.get("ctx") or {})
            message = clinician_message(label, error["type"], context, error["msg"])
            form.add_error(field if mine else None, message)
        return None


def is_valid_all_at_once(form: Any, schema: type[Schema]) -> bool:
    """`form.is_valid()`, and when it is not, the schema's errors too on the fields the form
    found no fault with: a clinician sees every error at once, not one round at a time."""
    if form.is_valid():
        return True
    validate_into(form, schema, form.schema_data())
    return False


class PatientForm(StyledFormMixin, forms.Form):
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    birth_date = forms.DateField(widget=DATE)
    sex = forms.ChoiceField(choices=[("", "Choose…"), *Sex.choices])
    weight_kg = forms.DecimalField(label="Weight (kg)", decimal_places=2, max_digits=6)
    height_cm = forms.DecimalField(label="Height (cm)", decimal_places=2, max_digits=6)
    mrn = forms.CharField(
        label="MRN", max_length=32, required=False, help_text="Leave blank to assign the next one."
    )
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(max_length=500, required=False)
    emergency_contact_name = forms.CharField(max_length=200, required=False)
    emergency_contact_phone = forms.CharField(max_length=40, required=False)
    emergency_contact_relationship = forms.CharField(max_length=60, required=False)
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="This is a different person with the same name and birth date"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: Patient | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing is not None:
            # Weight and height are dated measurements, added on the chart, not edited here.
            del self.fields["weight_kg"], self.fields["height_cm"]
            del self.fields["confirm_not_duplicate"]
            self.fields["mrn"].help_text = ""
            self.fields["version"].required = True

    def schema_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v is not None and k != "version"}
        if not data.get("mrn"):
            data.pop("mrn", None)
        if self.cleaned_data.get("version") is not None:
            data["version"] = self.cleaned_data["version"]
        return data


class EnteredInErrorForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=500,
        min_length=5,
        help_text="Say what was wrong, e.g. 'duplicate of MRN 100012'.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def record_form_class(kind: RecordKind) -> type[forms.Form]:
    """A form for adding one kind of chart record, with the model's labels and choices."""
    fields = list(kind.create.model_fields)
    widgets: dict[str, type[forms.Widget] | forms.Widget] = {}
    for name in fields:
        field = kind.model._meta.get_field(name)
        assert isinstance(field, Field)  # noqa: S101  # schema fields are concrete model fields
        if field.get_internal_type() == "DateField":
            widgets[name] = DATE
        elif field.get_internal_type() == "DateTimeField":
            widgets[name] = DATETIME
        elif name == "notes":
            widgets[name] = forms.Textarea(attrs={"rows": 3})
    base = forms.models.modelform_factory(kind.model, fields=fields, widgets=widgets)

    class RecordForm(StyledFormMixin, base):  # type: ignore[misc, valid-type]
        def schema_data(self) -> dict[str, Any]:
            return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    return RecordForm
