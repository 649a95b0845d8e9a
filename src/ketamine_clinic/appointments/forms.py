"""The calendar's forms: booking a course's series, booking one appointment, moving and
cancelling."""

from __future__ import annotations

from typing import Any

from django import forms

from ketamine_clinic.appointments.models import Appointment
from ketamine_clinic.common.forms import StyledFormMixin

DATE = forms.DateInput(attrs={"type": "date"})
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SeriesForm(StyledFormMixin, forms.Form):
    start = forms.DateField(widget=DATE, help_text="The first day the series may start")
    nurse = forms.ChoiceField(required=False, help_text="Leave empty: the first nurse free")

    def __init__(self, *args: Any, nurses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nurse"].choices = [("", "Any nurse on duty"), *nurses]  # type: ignore[attr-defined]


class BookForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[c for c in Appointment.Kind.choices if c[0] != Appointment.Kind.DOSING]
    )
    starts_at = forms.DateTimeField(label="Starts", widget=WHEN)
    minutes = forms.IntegerField(required=False, min_value=10, max_value=480,
                                 help_text="Leave empty for the clinic's usual length")  # fmt: skip
    place = forms.ChoiceField(required=False, help_text="None for telehealth")
    staff = forms.ChoiceField(label="With")
    note = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args: Any, places: list[tuple[str, str]],
                 staff: list[tuple[str, str]], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "No place (telehealth)"), *places]  # type: ignore[attr-defined]
        self.fields["staff"].choices = staff  # type: ignore[attr-defined]


class MoveForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(label="New time", widget=WHEN)
    place = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "The same place"), *places]  # type: ignore[attr-defined]


class CancelForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(min_length=5, max_length=500)


class StateForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(choices=[("arrived", "Arrived"), ("completed", "Took place"),
                                       ("no_show", "No-show")])  # fmt: skip


class WaitForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=Appointment.Kind.choices)
    course = forms.ChoiceField(required=False, help_text="For a dose: the course")
    earliest = forms.DateField(widget=DATE)
    latest = forms.DateField(widget=DATE)
    note = forms.CharField(
        required=False, max_length=500, help_text="E.g. mornings only, can come at short notice"
    )

    def __init__(self, *args: Any, courses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", "—"), *courses]  # type: ignore[attr-defined]


HOURS_HELP = "One day a line, e.g. mon 08:00-12:00, 13:00-18:00. A day left out is closed."


class PlaceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("chair", "Chair"), ("room", "Room")])
    name = forms.CharField(max_length=80)
    hours = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                            help_text=HOURS_HELP)  # fmt: skip
    active = forms.BooleanField(required=False, initial=True, label="In use")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HoursForm(StyledFormMixin, forms.Form):
    user = forms.CharField(widget=forms.HiddenInput)
    hours = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            help_text=HOURS_HELP)  # fmt: skip
