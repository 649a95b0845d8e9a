"""Forms speak a clinician's language: each error names its field and unit, every error shows
at once beside its field, and what was typed stays in the form."""

from __future__ import annotations

import re

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
        "weight": ["Weight must be at least 25 kg.", "Weight may have at most 1 decimal place."],
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
    # Each field with an error is highlighted: Django's own (the date) and the schema's
    # (weight, height), which are added after cleaning; a field without one is not.
    inputs = {m["name"]: m[0] for m in re.finditer(r'<input[^>]*name="(?P<name>\w+)"[^>]*>', html)}
    for name in ("birth_date", "weight_kg", "height_cm"):
        assert 'aria-invalid="true"' in inputs[name], name
        assert "is-invalid" in inputs[name], name
    assert "is-invalid" not in inputs["given_name"]
    for typed in ('value="10"', 'value="500"', 'value="Ann"'):  # kept as typed
        assert typed in html


class Percent(StyledFormMixin, forms.Form):
    threshold = forms.DecimalField(label="Response threshold (%)", min_value=0, max_value=100,
                                   decimal_places=1)  # fmt: skip
    code = forms.CharField(label="Code", max_length=1)


def test_a_percent_label_and_a_count_of_one_read_right() -> None:
    """A label's own % once broke Django's filling-in of the message (a 500); one decimal
    place or character is singular."""
    assert Percent({"threshold": "-1", "code": "ab"}).errors == {
        "threshold": ["Response threshold must be at least 0%."],
        "code": ["Code may have at most 1 character (it has 2)."],
    }
    assert Percent({"threshold": "1.25", "code": "a"}).errors == {
        "threshold": ["Response threshold may have at most 1 decimal place."]
    }
    assert (
        clinician_message("Dose (mg)", "decimal_max_places", {"decimal_places": 1}, "")
        == "Dose may have at most 1 decimal place."
    )
    assert clinician_message("Items", "too_long", {"max_length": 1}, "") == (
        "Items may have at most 1 entry."
    )
    assert clinician_message("Items", "too_long", {"max_length": 3}, "") == (
        "Items may have at most 3 entries."
    )
