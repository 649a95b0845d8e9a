"""Forms speak a clinician's language: each error names its field and unit, every error shows
at once beside its field, and what was typed stays in the form."""

from __future__ import annotations

from django import forms

from ketamine_clinic.common.forms import StyledFormMixin, clinician_message, name_and_unit
from ketamine_clinic.common.template_filters import beside
from tests.conftest import World


def test_a_label_s_unit_is_read_off_it() -> None:
    assert name_and_unit("Systolic (mmHg)") == ("Systolic", " mmHg")
    assert name_and_unit("Weight (kg)") == ("Weight", " kg")
    assert name_and_unit("Response threshold (%)") == ("Response threshold", "%")
    assert name_and_unit("Reason") == ("Reason", "")


def test_pydantic_errors_become_sentences() -> None:
    assert (
        clinician_message("Weight (kg)", "greater_than_equal", {"ge": 25}, "Input should be")
        == "Weight must be at least 25 kg."
    )
    assert clinician_message("Systolic (mmHg)", "less_than_equal", {"le": 300}, "") == (
        "Systolic must be at most 300 mmHg."
    )
    assert clinician_message("Reason", "string_too_short", {"min_length": 10}, "") == (
        "Reason needs at least 10 characters."
    )
    assert clinician_message("Sex", "missing", {}, "") == "Sex is required."
    # A rule's own sentence (a model validator) is kept, without pydantic's prefix.
    rule = clinician_message("Day", "value_error", {}, "Value error, must not be in the future")
    assert rule == "must not be in the future"


class Vitals(StyledFormMixin, forms.Form):
    systolic = forms.IntegerField(label="Systolic (mmHg)", min_value=50, max_value=300)
    weight = forms.DecimalField(label="Weight (kg)", min_value=25, decimal_places=1)
    reason = forms.CharField(min_length=10)
    taken_on = forms.DateField()
    note = forms.CharField(error_messages={"required": "Write what you saw."})


def test_django_forms_say_it_the_same_way() -> None:
    form = Vitals(
        {"systolic": "20", "weight": "24.55", "reason": "short", "taken_on": "soon", "note": ""}
    )
    assert not form.is_valid()
    assert form.errors == {
        "systolic": ["Systolic must be at least 50 mmHg."],
        "weight": ["Weight must be at least 25 kg.", "Weight may have at most 1 decimal places."],
        "reason": ["Reason needs at least 10 characters (it has 5)."],
        "taken_on": ["Taken on must be a date."],
        "note": ["Write what you saw."],  # a form's own words are kept
    }
    assert Vitals({"systolic": "abc"}).errors["systolic"] == ["Systolic must be a whole number."]


def test_an_error_beside_its_field_names_it_once() -> None:
    assert beside("Weight must be at least 25 kg.", "Weight (kg)") == (
        "Weight must be at least 25 kg."
    )
    assert beside("choose another protocol", "Protocol") == "Protocol: choose another protocol"


def test_every_error_at_once_beside_its_field_with_the_values_kept(world: World) -> None:
    response = world.client("front_desk").post(
        "/patients/new/",
        {
            "given_name": "Ann",
            "family_name": "Lee",
            "birth_date": "1990-02-30",
            "sex": "female",
            "weight_kg": "10",
            "height_cm": "500",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Birth date must be a date.",
        "Weight must be at least 25 kg.",
        "Height must be at most",
    ):
        assert message in html, message
    assert html.count('aria-invalid="true"') >= 3  # highlighted
    for typed in ('value="10"', 'value="500"', 'value="Ann"'):  # kept as typed
        assert typed in html
