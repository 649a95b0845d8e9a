"""The vault's forms: products, receipts, witnessed waste, other movements, counts, the loss
report's deadlines and the reports. Rules are checked by the actions; these forms only parse."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator

from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.inventory import queries
from ketamine_clinic.inventory.models import Container, Count, Product
from ketamine_clinic.inventory.reports import TITLES
from ketamine_clinic.patients.forms import DATE, DATETIME

RXCUI = r"^\d{1,12}$"  # an RxNorm concept unique identifier is a number
QUANTITY = {"min_value": Decimal("0.001"), "max_digits": 9, "decimal_places": 3}


def unit_choices(product: Product) -> list[tuple[str, str]]:
    """The units this product is counted in: mL and mg for a vial, devices and mg for
    esketamine."""
    if product.substance == Product.Substance.ESKETAMINE:
        return [("device", "devices (28 mg)"), ("mg", "mg")]
    concentration = Decimal(product.concentration_mg_per_ml or 0).normalize()
    return [("mL", f"mL ({concentration:f} mg/mL)"), ("mg", "mg")]


class ProductForm(StyledFormMixin, forms.ModelForm):
    ndc = forms.CharField(
        label="NDC",
        validators=[RegexValidator(r"^\d{4,5}-\d{3,4}(-\d{1,2})?$", "e.g. 0409-2051-05")],
    )
    rxnorm = forms.CharField(
        label="RxNorm code (RxCUI, optional)",
        required=False,
        validators=[RegexValidator(RXCUI, "digits only, e.g. 238083")],
        help_text=Product._meta.get_field("rxnorm").help_text,
    )

    class Meta:
        model = Product
        fields = [
            "name", "ndc", "substance", "form", "concentration_mg_per_ml", "container_mg", "rxnorm",
        ]  # fmt: skip
        labels = {
            "concentration_mg_per_ml": "Concentration (mg/mL, vials only)",
            "container_mg": "One container holds (mg)",
        }


class ReceiptForm(StyledFormMixin, forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none())
    count = forms.IntegerField(label="Number of containers", min_value=1, max_value=200)
    lot = forms.CharField(max_length=60)
    expires_on = forms.DateField(widget=DATE)
    received_at = forms.DateTimeField(label="Received", widget=DATETIME)
    supplier_name = forms.CharField(max_length=200)
    supplier_address = forms.CharField(max_length=500)
    supplier_dea = forms.CharField(label="Supplier's DEA number", max_length=9)
    invoice = forms.CharField(label="Invoice or DEA Form 222 reference", max_length=100)

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # declared above
        field.queryset = queries.products(clinic.pk)


class _Quantity(StyledFormMixin, forms.Form):
    quantity = forms.DecimalField(**QUANTITY)  # type: ignore[arg-type]
    unit = forms.ChoiceField(choices=[])

    def __init__(self, *args: Any, container: Container, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)  # noqa: S101  # declared above
        unit.choices = unit_choices(container.product)


class WasteForm(_Quantity):
    """Two people at one tablet: the performer is signed in, the witness types their own
    username and password here."""

    reason = forms.CharField(
        label="What is wasted and why", max_length=1000, required=False,
        help_text="e.g. left in the syringe after a dose; a dropped vial",
    )  # fmt: skip
    witness_username = forms.CharField(label="Witness username", max_length=150)
    witness_password = forms.CharField(
        label="Witness password", max_length=200, widget=forms.PasswordInput
    )


MOVEMENT_KINDS = [
    ("destroy", "Destroy (reverse distributor, Form 41)"),
    ("loss", "Loss or theft"),
    ("transfer", "Transfer to another registrant"),
    ("adjust", "Adjust the books (prescribers and admins)"),
]


class MovementForm(_Quantity):
    kind = forms.ChoiceField(choices=MOVEMENT_KINDS)
    event_at = forms.DateTimeField(
        label="When it happened", widget=DATETIME, required=False, help_text="Blank: now"
    )
    reason = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for loss, transfer and adjustment (10 characters or more)",
    )  # fmt: skip
    reference = forms.CharField(
        max_length=100, required=False,
        help_text="Form 41 or reverse distributor reference; invoice for a transfer",
    )  # fmt: skip
    increase = forms.BooleanField(label="Adjustment adds to the balance", required=False)
    to_clinic = forms.ChoiceField(
        label="Transfer to our location", required=False,
        help_text="Both books are written at once; blank for a registrant outside",
    )  # fmt: skip

    def __init__(self, *args: Any, destinations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_clinic"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared above
        field.choices = [("", "—"), *destinations]


class CountForm(StyledFormMixin, forms.Form):
    """One line per container: what is there, in the product's unit, and whether an opened
    container was estimated."""

    kind = forms.ChoiceField(choices=Count.Kind.choices)
    time_of_day = forms.ChoiceField(label="Taken at", choices=Count.TimeOfDay.choices)
    note = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args: Any, containers: list[Container], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.containers = containers
        for c in containers:
            self.fields[f"q_{c.pk}"] = forms.DecimalField(
                label=f"{c.label} counted", min_value=Decimal(0), max_digits=9, decimal_places=3
            )
            self.fields[f"u_{c.pk}"] = forms.ChoiceField(
                label=f"{c.label} unit", choices=unit_choices(c.product)
            )
            self.fields[f"e_{c.pk}"] = forms.BooleanField(
                label=f"{c.label} estimated", required=False
            )
        # The mixin styled the fields that existed before these lines: style the lines small.
        for name in self.fields:
            if name[:2] in ("q_", "u_"):
                widget = self.fields[name].widget
                css = "form-select" if name.startswith("u_") else "form-control"
                widget.attrs["class"] = f"{css} form-control-sm"
            elif name.startswith("e_"):
                self.fields[name].widget.attrs["class"] = "form-check-input"

    def rows(self) -> list[tuple[Container, Any, Any, Any]]:
        return [
            (c, self[f"q_{c.pk}"], self[f"u_{c.pk}"], self[f"e_{c.pk}"]) for c in self.containers
        ]


class NoticeForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    sent_on = forms.DateField(label="Written notice sent to the DEA on", widget=DATE)


class Form106Form(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    filed_on = forms.DateField(label="DEA Form 106 filed on", widget=DATE)
    reference = forms.CharField(label="Form 106 confirmation", max_length=100)


class ReportForm(StyledFormMixin, forms.Form):
    report = forms.ChoiceField(
        choices=[(k, v) for k, v in TITLES.items() if k != "container-history"]
    )
    start = forms.DateField(widget=DATE)
    end = forms.DateField(widget=DATE)
