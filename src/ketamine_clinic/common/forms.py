"""Bootstrap styling for every form, set once here instead of per widget."""

from __future__ import annotations

from typing import Any

from django import forms


class StyledFormMixin:
    """Adds Bootstrap classes, and marks invalid fields for assistive technology."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for field in fields.values():
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
