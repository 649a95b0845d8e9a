"""Every form's look and words, set once here instead of per widget: Bootstrap classes, and
errors a clinician reads ("Weight must be at least 25 kg", not "Input should be greater
than or equal to 25")."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms.utils import pretty_name

_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^)]*)\)\s*$")


def name_and_unit(label: Any) -> tuple[str, str]:
    """ "Systolic (mmHg)" is ("Systolic", " mmHg"); "Reason" is ("Reason", ""); a percentage
    is written without a space ("50%")."""
    text = str(label or "")
    found = _UNIT.match(text)
    if not found:
        return text, ""
    unit = found["unit"]
    return found["name"], unit if unit == "%" else f" {unit}"


def clinician_message(label: Any, kind: str, context: dict[str, Any], fallback: str) -> str:
    """One validation error (pydantic's type and context) as a sentence naming the field."""
    name, unit = name_and_unit(label)
    bounds = {
        "greater_than_equal": ("ge", "must be at least {}"),
        "greater_than": ("gt", "must be more than {}"),
        "less_than_equal": ("le", "must be at most {}"),
        "less_than": ("lt", "must be less than {}"),
    }
    if kind in bounds:
        key, words = bounds[kind]
        return f"{name} {words.format(context[key])}{unit}."
    sentences = {
        "missing": "{name} is required.",
        "string_too_short": "{name} needs at least {min_length} characters.",
        "string_too_long": "{name} may have at most {max_length} characters.",
        "too_long": "{name} may have at most {max_length} entries.",
        "decimal_max_places": "{name} may have at most {decimal_places} decimal places.",
        "decimal_max_digits": "{name} is too large.",
        "literal_error": "{name} must be one of {expected}.",
        "enum": "{name} must be one of {expected}.",
        "int_parsing": "{name} must be a whole number.",
        "decimal_parsing": "{name} must be a number.",
        "float_parsing": "{name} must be a number.",
        "date_from_datetime_parsing": "{name} must be a date.",
        "date_parsing": "{name} must be a date.",
        "datetime_from_date_parsing": "{name} must be a date and time.",
        "datetime_parsing": "{name} must be a date and time.",
    }
    if kind in sentences:
        return sentences[kind].format(name=name, **context)
    return fallback.removeprefix("Value error, ")


def _django_messages(field: forms.Field) -> dict[str, str]:
    """Django's own messages for this field, in the same words as `clinician_message`."""
    name, unit = name_and_unit(field.label)
    messages = {
        "required": f"{name} is required.",
        "min_value": f"{name} must be at least %(limit_value)s{unit}.",
        "max_value": f"{name} must be at most %(limit_value)s{unit}.",
        "min_length": f"{name} needs at least %(limit_value)d characters (it has %(show_value)d).",
        "max_length": f"{name} may have at most %(limit_value)d characters (it has "
        "%(show_value)d).",
        "max_decimal_places": f"{name} may have at most %(max)s decimal places.",
        "max_digits": f"{name} is too large.",
        "invalid_choice": f"{name}: choose one of the options.",
    }
    if isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{name} must be a whole number."
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):
        messages["invalid"] = f"{name} must be a number."
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"{name} must be a date and time."
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{name} must be a date."
    return messages


def _written_by_the_form(field: forms.Field) -> dict[str, Any]:
    """The messages a form wrote for itself (error_messages=...), which win over ours."""
    defaults: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return {k: v for k, v in field.error_messages.items() if defaults.get(k) != v}


class StyledFormMixin:
    """Adds Bootstrap classes, and marks invalid fields for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name, field in fields.items():
            if field.label is None:
                field.label = pretty_name(name)
            field.error_messages = {
                **field.error_messages,
                **_django_messages(field),
                **_written_by_the_form(field),
            }
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in fields:
                widget = fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def put_error(form: forms.BaseForm, exc: Exception, field: str | None = None) -> None:
    """Show an action's refusal (InvalidInput, Conflict) on the field it names, or above the
    form when no field of this form is named."""
    field = field or getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, getattr(exc, "message", str(exc)))
