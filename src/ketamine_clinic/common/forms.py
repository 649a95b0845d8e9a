"""Every form's look and words, set once here instead of per widget: Bootstrap classes, and
errors a clinician reads ("Weight must be at least 25 kg", not "Input should be greater
than or equal to 25")."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.template.defaultfilters import pluralize

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
    counted = {
        "string_too_short": ("needs at least", "min_length", "character"),
        "string_too_long": ("may have at most", "max_length", "character"),
        "too_long": ("may have at most", "max_length", "entr", "y,ies"),
        "decimal_max_places": ("may have at most", "decimal_places", "decimal place"),
    }
    if kind in counted:
        words, key, noun, *suffixes = counted[kind]
        return f"{name} {words} {_count(context[key], noun, *suffixes)}."
    sentences = {
        "missing": "{name} is required.",
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


def _count(n: Any, noun: str, suffixes: str = "s") -> str:
    """ "1 decimal place", "2 decimal places", "1 entry": the number with its noun agreeing."""
    return f"{n} {noun}{pluralize(n, suffixes)}"


def _limit(field: forms.Field, name: str) -> Any:
    return getattr(field, name, None) or 0


def _django_messages(field: forms.Field) -> dict[str, str]:
    """Django's own messages for this field, in the same words as `clinician_message`. Django
    fills them in with `%`, so a label's own % ("Response threshold (%)") is escaped."""
    name, unit = (text.replace("%", "%%") for text in name_and_unit(field.label))
    messages = {
        "required": f"{name} is required.",
        "min_value": f"{name} must be at least %(limit_value)s{unit}.",
        "max_value": f"{name} must be at most %(limit_value)s{unit}.",
        "min_length": f"{name} needs at least {_count(_limit(field, 'min_length'), 'character')}"
        " (it has %(show_value)d).",
        "max_length": f"{name} may have at most {_count(_limit(field, 'max_length'), 'character')}"
        " (it has %(show_value)d).",
        "max_decimal_places": f"{name} may have at most "
        f"{_count(_limit(field, 'decimal_places'), 'decimal place')}.",
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

    def add_error(self, field: str | None, error: Any) -> None:
        """Every error marks its field, including those added after cleaning (an action's
        refusal, the API schema's checks), so each one is highlighted, not only Django's."""
        super().add_error(field, error)  # type: ignore[misc]
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name in self._errors or ():  # type: ignore[attr-defined]
            widget = fields[name].widget if name in fields else None
            if widget is not None and widget.attrs.get("aria-invalid") != "true":
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def put_error(form: forms.BaseForm, exc: Exception, field: str | None = None) -> None:
    """Show an action's refusal (InvalidInput, Conflict) on the field it names, or above the
    form when no field of this form is named."""
    field = field or getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, getattr(exc, "message", str(exc)))
