"""The course order form; the API's schema validates it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms

from ketamine_clinic.clinical.body_weight import POLICIES
from ketamine_clinic.clinical.dosing import DILUENTS
from ketamine_clinic.clinical.protocol_adjustments import DURATION_FIELDS, WEIGHT_FIELDS
from ketamine_clinic.clinical.protocols import LIBRARY, Protocol
from ketamine_clinic.common.forms import StyledFormMixin
from ketamine_clinic.patients.forms import DATE


def _product_label(product: Any) -> str:
    """The stock's name with its strength, written once: "Ketamine 50 mg/mL", never
    "Ketamine 50 mg/mL (50 mg/mL)"."""
    strength = f"{product.concentration_mg_per_ml.normalize():f} mg/mL"
    return product.name if strength in product.name else f"{product.name} ({strength})"


def stock_choices(products: Iterable[Any]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(p.pk), _product_label(p)) for p in products]


class CourseForm(StyledFormMixin, forms.Form):
    protocol = forms.ChoiceField(choices=[(p.id, p.name) for p in LIBRARY.values()])

    def __init__(
        self,
        *args: Any,
        protocols: Sequence[Protocol] = (),
        products: Iterable[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        stock = self.fields["stock_product"]
        assert isinstance(stock, forms.ChoiceField)  # noqa: S101  # declared below
        stock.choices = stock_choices(products)
        if protocols:
            field = self.fields["protocol"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared above
            field.choices = [
                (p.id, f"{p.name} (clinic v{p.version})" if p.based_on else p.name)
                for p in protocols
            ]

    dose_mg_per_kg = forms.DecimalField(
        label="Dose (mg/kg)", required=False, decimal_places=3, max_digits=6
    )
    dose_mg = forms.TypedChoiceField(
        label="Esketamine dose (mg)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (28, "28 mg"), (56, "56 mg"), (84, "84 mg")],
    )
    stock_product = forms.ChoiceField(
        label="Drawn from (the vault's product)",
        required=False,
        help_text="Its concentration is the one on the vial the nurse draws from.",
    )
    diluent = forms.ChoiceField(
        label="Diluent (infusions)", required=False, choices=[("", "—"), *DILUENTS.items()]
    )
    final_volume_ml = forms.DecimalField(
        label="Final volume (mL, bag or syringe)",
        required=False,
        decimal_places=1,
        max_digits=6,
    )
    duration_min = forms.DecimalField(
        label="Infusion (min)", required=False, decimal_places=1, max_digits=5
    )
    start_on = forms.DateField(label="First session", widget=DATE)
    planned_sessions = forms.IntegerField(
        label="Induction sessions", required=False, min_value=1, max_value=12
    )
    integration_every = forms.IntegerField(
        label="Integration session after every … doses",
        required=False,
        min_value=1,
        max_value=12,
        help_text="Leave empty for none; more can be added on the course page.",
    )
    override_reason = forms.CharField(
        label="Override reason",
        required=False,
        max_length=2000,
        help_text="Only when the dose is outside the protocol: say why.",
    )


class MoveForm(StyledFormMixin, forms.Form):
    on = forms.DateField(widget=DATE, label="New date")
    version = forms.IntegerField(widget=forms.HiddenInput)


class MarkForm(StyledFormMixin, forms.Form):
    note = forms.CharField(max_length=1000, min_length=3)
    version = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.ChoiceField(
        choices=[("cancelled", "Cancel"), ("missed", "Missed"), ("done", "Took place")]
    )
    clinical_note = forms.UUIDField(required=False)
    poorly_tolerated = forms.CharField(max_length=500, required=False)


class AdjunctForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("integration", "Integration session"),
            ("psychotherapy", "Psychotherapy session"),
            ("preparation", "Preparation session"),
        ]
    )
    on = forms.DateField(widget=DATE, label="Date")
    note = forms.CharField(max_length=1000, required=False, label="Note (who, where)")


LABELS = {
    "min_mg_per_kg": "Minimum (mg/kg)",
    "default_mg_per_kg": "Default (mg/kg)",
    "max_mg_per_kg": "Maximum (mg/kg)",
    "min_duration_min": "Shortest infusion (min)",
    "default_duration_min": "Default infusion (min)",
    "max_duration_min": "Longest infusion (min)",
}


LIMIT_FIELDS = (
    ("max_mg_per_session", "Most in one session (mg)", 1),
    ("max_mg_per_kg_per_week", "Most in 7 days (mg/kg)", 2),
    ("max_mg_per_week", "Most in 7 days (mg)", 0),
)


class ProtocolForm(StyledFormMixin, forms.Form):
    """A clinic's copy: the adjustable parts of `base`, starting from `current`'s values."""

    key = forms.SlugField(
        max_length=50,
        help_text="Lower-case letters, digits and hyphens; it names the copy in links and the API",
    )
    name = forms.CharField(max_length=200)
    reason = forms.CharField(
        max_length=2000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the clinic adjusts the protocol (kept with this version).",
    )

    def __init__(self, *args: Any, base: Protocol, current: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = base
        fields: tuple[str, ...] = WEIGHT_FIELDS if base.weight_based else ()
        if base.default_duration_min is not None:
            fields += DURATION_FIELDS
        for name in fields:
            low = getattr(base, "min_" + name.split("_", 1)[1])
            high = getattr(base, "max_" + name.split("_", 1)[1])
            self.fields[name] = forms.DecimalField(
                label=LABELS[name],
                min_value=low,
                max_value=high,
                decimal_places=3,
                initial=getattr(current, name),
                help_text=f"Library: {low}-{high}",
            )
        self._limits(base, current)
        if base.doses_mg:
            self.fields["doses_mg"] = forms.TypedMultipleChoiceField(
                label="Doses (mg)",
                coerce=int,
                choices=[(d, f"{d} mg") for d in base.doses_mg],
                initial=list(current.doses_mg),
                widget=forms.CheckboxSelectMultiple,
            )
        for index, (library, phase) in enumerate(zip(base.phases, current.phases, strict=True)):
            if library.sessions is not None:
                self.fields[f"phase{index}_sessions"] = forms.IntegerField(
                    label=f"{library.name}: sessions",
                    min_value=1,
                    max_value=12,
                    initial=phase.sessions,
                )
            self.fields[f"phase{index}_per_week"] = forms.IntegerField(
                label=f"{library.name}: at most a week",
                min_value=1,
                max_value=library.per_week,
                initial=phase.per_week,
            )
            self.fields[f"phase{index}_min_hours_apart"] = forms.IntegerField(
                label=f"{library.name}: hours apart at least",
                min_value=library.min_hours_apart,
                max_value=4 * 7 * 24,
                initial=phase.min_hours_apart,
            )

    def _limits(self, base: Protocol, current: Protocol) -> None:
        """The dosing weight and the limits a clinic may only lower."""
        if base.weight_based:
            self.fields["dosing_weight"] = forms.ChoiceField(
                label="Dosing weight",
                required=False,
                choices=list(POLICIES.items()),
                initial=current.dosing_weight,
                help_text="Each gives at most the actual weight (Devine; adjusted = ideal + 0.4 x"
                " the excess).",
            )
            self.fields["dosing_weight_cap_kg"] = forms.DecimalField(
                label="Cap (kg), for a capped actual weight",
                required=False,
                decimal_places=1,
                initial=current.dosing_weight_cap_kg,
            )
            self.fields["weight_max_age_days"] = forms.IntegerField(
                label="Weight valid for (days)",
                required=False,
                min_value=1,
                max_value=base.weight_max_age_days,
                initial=current.weight_max_age_days,
            )
        for name, label, places in LIMIT_FIELDS:
            library = getattr(base, name)
            if library is not None:
                self.fields[name] = forms.DecimalField(
                    label=label,
                    required=False,
                    decimal_places=places,
                    min_value=Decimal("0.01"),
                    max_value=library,
                    initial=getattr(current, name),
                    help_text=f"Library: at most {library}",
                )

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {
            name: str(data[name])
            for name in (*WEIGHT_FIELDS, *DURATION_FIELDS, "max_mg_per_session")
            if isinstance(data.get(name), Decimal)
        }
        if isinstance(data.get("max_mg_per_kg_per_week"), Decimal):
            changes["max_mg_per_kg_per_week"] = str(data["max_mg_per_kg_per_week"])
        if isinstance(data.get("max_mg_per_week"), Decimal):
            changes["max_mg_per_week"] = int(data["max_mg_per_week"])
        if data.get("dosing_weight"):
            changes["dosing_weight"] = data["dosing_weight"]
            if data["dosing_weight"] == "actual_capped" and data.get("dosing_weight_cap_kg"):
                changes["dosing_weight_cap_kg"] = str(data["dosing_weight_cap_kg"])
        if data.get("weight_max_age_days"):
            changes["weight_max_age_days"] = data["weight_max_age_days"]
        if "doses_mg" in data:
            changes["doses_mg"] = sorted(data["doses_mg"])
        phases = []
        for index, library in enumerate(self.base.phases):
            phase: dict[str, Any] = {"name": library.name}
            for part in ("sessions", "per_week", "min_hours_apart"):
                value = data.get(f"phase{index}_{part}")
                if value is not None:
                    phase[part] = value
            phases.append(phase)
        changes["phases"] = phases
        return changes


class OrderForm(StyledFormMixin, forms.Form):
    """A dose change on a course: a new order, signed separately."""

    def __init__(self, *args: Any, products: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stock = self.fields["stock_product"]
        assert isinstance(stock, forms.ChoiceField)  # noqa: S101  # declared below
        stock.choices = stock_choices(products)

    dose_mg_per_kg = CourseForm.base_fields["dose_mg_per_kg"]
    dose_mg = CourseForm.base_fields["dose_mg"]
    stock_product = CourseForm.base_fields["stock_product"]
    diluent = CourseForm.base_fields["diluent"]
    final_volume_ml = CourseForm.base_fields["final_volume_ml"]
    duration_min = CourseForm.base_fields["duration_min"]
    override_reason = CourseForm.base_fields["override_reason"]


class DecisionForm(StyledFormMixin, forms.Form):
    rule = forms.CharField(max_length=60, widget=forms.HiddenInput)
    situation = forms.CharField(max_length=200, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("accepted", "Accept"), ("dismissed", "Dismiss")])
    note = forms.CharField(max_length=2000, min_length=3)
