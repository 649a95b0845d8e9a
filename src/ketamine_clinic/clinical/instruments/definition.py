"""Instrument definition files: the published JSON format clinics use to load instruments.

Instruments under licence (the C-SSRS, for one) are never shipped here: a clinic that holds
the licence writes a definition file and loads it. The same parser builds the built-in
catalogue, so the format is exercised by every test of every instrument.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ketamine_clinic.clinical.instruments.model import (
    Band,
    Choice,
    FlagRule,
    Instrument,
    Item,
    Subscale,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,39}$")]
# Instrument ids appear in URLs, so letters, digits, - and _ only.
InstrumentCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Loinc = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,7}-[0-9]$")]
Score = Annotated[int, Field(ge=0, le=1000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceDef(_Strict):
    value: Score
    label: Short


class ItemDef(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
    text: Text
    min: Score = 0
    max: Score
    choices: list[ChoiceDef] = []
    loinc: Loinc | None = None

    @model_validator(mode="after")
    def _range(self) -> ItemDef:
        if self.min > self.max:
            raise ValueError(f"item {self.id}: min {self.min} is above max {self.max}")
        values = [c.value for c in self.choices]
        if len(set(values)) != len(values):
            raise ValueError(f"item {self.id}: two choices have the same value")
        for value in values:
            if not self.min <= value <= self.max:
                raise ValueError(f"item {self.id}: choice {value} is outside {self.min}-{self.max}")
        return self


class BandDef(_Strict):
    low: Score
    high: Score
    code: Code
    label: Short


class FlagDef(_Strict):
    code: Code
    message: Short
    item: str | None = Field(None, description="The item the rule reads; leave out for the total")
    at_least: Score | None = None
    at_most: Score | None = None
    alert: bool = Field(False, description="Open a safety alert a clinician must acknowledge")


class SubscaleDef(_Strict):
    id: Code
    name: Short
    items: list[str] = Field(min_length=1)


class ScoringDef(_Strict):
    groups: list[list[str]] = Field(
        default_factory=list,
        description="Each group adds its highest item to the total; leave out for a plain sum",
    )


class InstrumentDefinition(_Strict):
    """The JSON a clinic loads. See docs/instruments.md for an annotated example."""

    id: InstrumentCode
    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")]
    name: Short
    short_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ]
    respondent: Literal["patient", "clinician"]
    instructions: Text = "Choose the answer that fits best."
    items: list[ItemDef] = Field(min_length=1, max_length=200)
    scoring: ScoringDef = ScoringDef()
    bands: list[BandDef] = []
    flags: list[FlagDef] = []
    subscales: list[SubscaleDef] = []
    loinc_panel: Loinc | None = None
    loinc_total: Loinc | None = None
    outcome_measure: bool = False
    remission_at_most: Score | None = None
    worsening_points: Annotated[int, Field(ge=1, le=1000)] | None = None
    source: Annotated[str, StringConstraints(max_length=2000)] = ""
    licence: Annotated[str, StringConstraints(max_length=2000)] = ""

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentDefinition:
        ids = [item.id for item in self.items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"item ids must be unique; repeated: {', '.join(duplicates)}")
        known = set(ids)
        seen: set[str] = set()
        for group in self.groups():
            if not group:
                raise ValueError("a scoring group is empty")
            for item_id in group:
                if item_id not in known:
                    raise ValueError(f"scoring group names unknown item {item_id}")
                if item_id in seen:
                    raise ValueError(f"item {item_id} is in two scoring groups")
                seen.add(item_id)
        low, high = self._total_range()
        if self.bands:
            bands = sorted(self.bands, key=lambda b: b.low)
            if bands[0].low != low or bands[-1].high != high:
                raise ValueError(f"bands must cover the whole total range {low}-{high}")
            for before, after in itertools.pairwise(bands):
                if before.high + 1 != after.low:
                    raise ValueError(
                        f"bands must follow on without gap or overlap: {before.code} ends at "
                        f"{before.high}, {after.code} starts at {after.low}"
                    )
            for band in bands:
                if band.low > band.high:
                    raise ValueError(f"band {band.code}: low is above high")
        for flag in self.flags:
            if flag.item is not None and flag.item not in known:
                raise ValueError(f"flag {flag.code} reads unknown item {flag.item}")
            if flag.at_least is None and flag.at_most is None:
                raise ValueError(f"flag {flag.code} needs at_least or at_most")
        for subscale in self.subscales:
            unknown = [i for i in subscale.items if i not in known]
            if unknown:
                raise ValueError(f"subscale {subscale.id} names unknown items {', '.join(unknown)}")
        if self.remission_at_most is not None and not low <= self.remission_at_most <= high:
            raise ValueError(f"remission_at_most must lie within the total range {low}-{high}")
        if self.outcome_measure and self.remission_at_most is None:
            raise ValueError("an outcome measure needs remission_at_most")
        return self

    def groups(self) -> list[list[str]]:
        return self.scoring.groups or [[item.id] for item in self.items]

    def _total_range(self) -> tuple[int, int]:
        by_id = {item.id: item for item in self.items}
        groups = self.groups()
        return (
            sum(min(by_id[i].min for i in g if i in by_id) for g in groups if g),
            sum(max(by_id[i].max for i in g if i in by_id) for g in groups if g),
        )

    def build(self, *, builtin: bool) -> Instrument:
        return Instrument(
            id=self.id,
            version=self.version,
            name=self.name,
            short_name=self.short_name,
            respondent=self.respondent,
            instructions=self.instructions,
            items=tuple(
                Item(
                    id=i.id,
                    text=i.text,
                    min=i.min,
                    max=i.max,
                    choices=tuple(Choice(c.value, c.label) for c in i.choices),
                    loinc=i.loinc,
                )
                for i in self.items
            ),
            groups=tuple(tuple(g) for g in self.groups()),
            bands=tuple(Band(b.low, b.high, b.code, b.label) for b in self.bands),
            flags=tuple(
                FlagRule(f.code, f.message, f.at_least, f.at_most, f.item, f.alert)
                for f in self.flags
            ),
            subscales=tuple(Subscale(s.id, s.name, tuple(s.items)) for s in self.subscales),
            loinc_panel=self.loinc_panel,
            loinc_total=self.loinc_total,
            outcome_measure=self.outcome_measure,
            remission_at_most=self.remission_at_most,
            worsening_points=self.worsening_points,
            source=self.source,
            licence=self.licence,
            builtin=builtin,
        )


class DefinitionError(ValueError):
    """A definition file that cannot be loaded; `problems` says where and why, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_definition(data: Any, *, builtin: bool = False) -> Instrument:
    try:
        return InstrumentDefinition.model_validate(data).build(builtin=builtin)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "definition"
            problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        raise DefinitionError(problems) from None


def definition_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a definition file."""
    schema = InstrumentDefinition.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ketamine-clinic instrument definition"
    return schema
