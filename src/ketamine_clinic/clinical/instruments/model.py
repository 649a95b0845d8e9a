"""What a rating instrument is, and how an answer set is scored.

An instrument is data: items with their allowed values, how items add up to a total (groups
whose maxima are summed, so QIDS-SR16's "worst of the sleep items" and a plain sum are the
same rule), severity bands over the total, flag rules, named subscales and codes. Built-in
instruments and those a clinic loads from a definition file become the same objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Respondent = Literal["patient", "clinician"]


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    min: int
    max: int
    choices: tuple[Choice, ...] = ()
    loinc: str | None = None

    def label_for(self, value: int) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    code: str
    label: str


@dataclass(frozen=True)
class FlagRule:
    """A finding worth showing; `alert` ones open a safety alert that a clinician must
    acknowledge. `item` None means the rule reads the total."""

    code: str
    message: str
    at_least: int | None = None
    at_most: int | None = None
    item: str | None = None
    alert: bool = False

    def fires(self, value: int) -> bool:
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)


@dataclass(frozen=True)
class Subscale:
    id: str
    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    name: str
    short_name: str
    respondent: Respondent
    instructions: str
    items: tuple[Item, ...]
    groups: tuple[tuple[str, ...], ...]
    bands: tuple[Band, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    loinc_panel: str | None = None
    loinc_total: str | None = None
    # Outcome measures (lower is better) get response, remission and relapse.
    outcome_measure: bool = False
    remission_at_most: int | None = None
    # A rise of at least this many points from the previous score, ending in the top band,
    # is a severe worsening (a safety alert).
    worsening_points: int | None = None
    source: str = ""
    licence: str = ""
    builtin: bool = True
    item_index: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "item_index", {item.id: item for item in self.items})

    @property
    def total_min(self) -> int:
        return sum(min(self.item_index[i].min for i in group) for group in self.groups)

    @property
    def total_max(self) -> int:
        return sum(max(self.item_index[i].max for i in group) for group in self.groups)

    @property
    def self_report(self) -> bool:
        return self.respondent == "patient"

    def band_for(self, total: int) -> Band | None:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        return None

    @property
    def top_band(self) -> Band | None:
        return max(self.bands, key=lambda band: band.high) if self.bands else None


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    alert: bool


@dataclass(frozen=True)
class Score:
    total: int
    band: Band | None
    flags: tuple[Flag, ...]
    subscales: dict[str, int]

    @property
    def alerts(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.alert)


class AnswerError(ValueError):
    """The answers cannot be scored; `problems` maps each item (or "items") to why."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def check_answers(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, int]:
    """Every item answered once, with a whole number in its range, and nothing else."""
    problems: dict[str, str] = {}
    for key in answers:
        if key not in instrument.item_index:
            problems[str(key)] = f"is not an item of {instrument.short_name}"
    clean: dict[str, int] = {}
    for item in instrument.items:
        if item.id not in answers:
            problems[item.id] = "is missing: every item must be answered"
            continue
        value = answers[item.id]
        if isinstance(value, bool) or not isinstance(value, int):
            problems[item.id] = "must be a whole number"
        elif not item.min <= value <= item.max:
            problems[item.id] = f"must be between {item.min} and {item.max}"
        else:
            clean[item.id] = value
    if problems:
        raise AnswerError(problems)
    return clean


def score(instrument: Instrument, answers: Mapping[str, object]) -> Score:
    clean = check_answers(instrument, answers)
    total = sum(max(clean[i] for i in group) for group in instrument.groups)
    flags = []
    for rule in instrument.flags:
        value = total if rule.item is None else clean[rule.item]
        if rule.fires(value):
            flags.append(Flag(rule.code, rule.message, rule.alert))
    subscales = {s.id: sum(clean[i] for i in s.items) for s in instrument.subscales}
    return Score(total, instrument.band_for(total), tuple(flags), subscales)
