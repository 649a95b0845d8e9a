"""The shapes the treatment API takes and gives: the dose calculator, courses and orders,
titration, PK simulation and protocols."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import PastDate, line


class DoseFields(BodySchema):
    """What a prescriber chooses; the patient's weight, height, age and dose history come
    from the record, never from the request (unknown fields are refused)."""

    model_config = ConfigDict(extra="forbid")

    dose_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    stock_product: uuid.UUID | None = Field(
        None, description="The vault's ketamine product the dose is drawn from (its id)"
    )
    diluent: Literal["sodium_chloride_0_9", "dextrose_5"] | None = Field(
        None, description="Infusions: what the drug is made up with"
    )
    final_volume_ml: Annotated[Decimal, Field(ge=10, le=1000, decimal_places=1)] | None = Field(
        None, description="Infusions: the bag's or syringe's volume once made up"
    )
    duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    dose_mg: Annotated[int, Field(ge=0, le=1000)] | None = Field(None, description="Esketamine")
    override_reason: Annotated[str, line(2000)] | None = None


class DoseRequest(DoseFields):
    protocol: Annotated[str, Field(max_length=60)]
    patient: uuid.UUID | None = Field(None, description="Uses the patient's record")
    clinic: uuid.UUID | None = Field(None, description="Whose protocols, when no patient is given")
    weight_kg: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=2)] | None = None
    weight_measured_on: PastDate | None = None
    height_cm: Annotated[Decimal, Field(ge=100, le=250, decimal_places=1)] | None = None
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    age_years: Annotated[int, Field(ge=0, le=125)] | None = None
    hepatic_impairment: Literal["none", "mild", "moderate", "severe"] | None = Field(
        None, description="Child-Pugh; with a patient, the signed evaluation's"
    )


class StepOut(Schema):
    what: str
    formula: str
    result: str


class DeviceOut(Schema):
    number: int
    at_min: int
    cumulative_mg: int


class DosingWeightOut(Schema):
    policy: str
    why: str


class DoseOut(Schema):
    protocol: str
    dose_mg: Decimal
    dosing_weight_kg: Decimal | None
    dosing_weight: DosingWeightOut | None
    stock_product: str | None
    stock_mg_per_ml: Decimal | None
    volume_ml: Decimal | None = Field(description="Of the stock product, to draw")
    diluent: str | None
    diluent_ml: Decimal | None
    final_volume_ml: Decimal | None
    final_mg_per_ml: Decimal | None
    rate_ml_per_h: Decimal | None
    duration_min: Decimal | None
    devices: list[DeviceOut]
    steps: list[StepOut]
    warnings: list[str]
    needs_override: list[str]
    accepted: bool
    note: str = "Decision support: check the arithmetic and the order before you draw up."


class CourseCreate(DoseFields):
    protocol: Annotated[str, Field(max_length=60)]
    start_on: date
    planned_sessions: Annotated[int, Field(ge=1, le=12)] | None = None
    integration_every: Annotated[int, Field(ge=1, le=12)] | None = Field(
        None, description="Plan an integration session after every this many doses"
    )


class OrderOut(Schema):
    id: uuid.UUID
    version: int
    dose_mg_per_kg: Decimal | None
    dose_mg: int | None
    stock_product: uuid.UUID | None = Field(None, alias="stock_product_id")
    concentration_mg_per_ml: Decimal | None
    diluent: str
    final_volume_ml: Decimal | None
    duration_min: Decimal | None
    override_reason: str
    calculation: dict[str, Any]
    signed_at: datetime | None
    signed_by: uuid.UUID | None = Field(None, alias="signed_by_id")


class ScheduledSessionOut(Schema):
    id: uuid.UUID
    version: int
    kind: str
    on: date
    phase: str
    state: str
    moved_from: date | None
    note: str
    clinical_note: uuid.UUID | None = Field(None, alias="clinical_note_id")
    poorly_tolerated: str = ""


class CourseOut(Schema):
    id: uuid.UUID
    patient: uuid.UUID = Field(..., alias="patient_id")
    version: int
    protocol: str = Field(..., alias="protocol_id")
    protocol_version: str
    product: str
    state: str
    phase: str
    start_on: date
    orders: list[OrderOut]
    schedule: list[ScheduledSessionOut]


class VersionIn(BodySchema):
    version: Annotated[int, Field(ge=1)]


class MoveRequest(BodySchema):
    version: Annotated[int, Field(ge=1)]
    on: date


class MarkRequest(BodySchema):
    version: Annotated[int, Field(ge=1)]
    note: Annotated[str, line(1000, min_length=3)]
    clinical_note: uuid.UUID | None = Field(
        None, description="For a session that took place: the note that records it"
    )
    poorly_tolerated: Annotated[str, line(500)] = Field(
        "", description="For a dose given: what made it poorly tolerated, if it was"
    )


class AdjunctCreate(BodySchema):
    kind: Literal["preparation", "psychotherapy", "integration"]
    on: date
    note: Annotated[str, line(1000)] = ""


class SuggestionOut(Schema):
    rule: str
    situation: str
    kind: str
    title: str
    detail: str
    source: str
    proposed_mg_per_kg: Decimal | None
    proposed_mg: int | None
    estimate: str


class DecisionOut(Schema):
    id: uuid.UUID
    rule: str
    situation: str
    decision: str
    note: str
    suggestion: dict[str, Any]
    created_at: datetime
    created_by: uuid.UUID = Field(..., alias="created_by_id")


class TitrationOut(Schema):
    suggestions: list[SuggestionOut]
    decisions: list[DecisionOut]


class DecisionIn(BodySchema):
    rule: Annotated[str, Field(max_length=60)]
    situation: Annotated[str, Field(max_length=200)]
    decision: Literal["accepted", "dismissed"]
    note: Annotated[str, line(2000, min_length=3)]


DAYS_90 = 90 * 1440.0


class SimulatedDoseIn(BodySchema):
    route: Literal["iv_bolus", "iv_infusion", "im", "intranasal"]
    at_min: Annotated[float, Field(ge=0, le=DAYS_90)] = 0
    dose_mg: Annotated[float, Field(gt=0, le=1000)]
    duration_min: Annotated[float, Field(ge=0, le=1440)] = 0
    devices: Annotated[int, Field(ge=0, le=3)] = 0


class CovariatesIn(BodySchema):
    weight_kg: Annotated[float, Field(ge=20, le=300)] | None = None
    age_years: Annotated[float, Field(ge=12, le=110)] | None = None
    asian: bool = False


class PopulationIn(BodySchema):
    n: Annotated[int, Field(ge=1, le=100_000)]
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] | None = None


class SimulateIn(BodySchema):
    model: Literal["clements", "domino", "fanta-otto", "perez-ruixo"] | None = None
    covariates: CovariatesIn = Field(default_factory=CovariatesIn)
    regimen: list[SimulatedDoseIn] = Field(..., min_length=1, max_length=500)
    t_end_min: Annotated[float, Field(gt=0, le=DAYS_90)]
    step_min: Annotated[float, Field(gt=0, le=1440)] = 5
    population: PopulationIn | None = None
    thresholds_ng_ml: list[Annotated[float, Field(gt=0, le=100_000)]] = Field(
        default_factory=list, max_length=5
    )


class ModelOut(Schema):
    id: str
    name: str
    source: str
    notes: str


class ThresholdOut(Schema):
    level_ng_ml: float
    output: str
    time_above_min: float
    falls_below_min: float | None


class PopulationOut(Schema):
    n: int
    seed: int


class SimulateOut(Schema):
    model: ModelOut
    estimate: str
    outputs: list[str]
    times_min: list[float]
    conc_ng_ml: dict[str, list[float]]
    cmax_ng_ml: dict[str, float]
    tmax_min: dict[str, float]
    auc_ng_h_ml: dict[str, float]
    thresholds: list[ThresholdOut]
    population: PopulationOut | None = None
    percentiles: dict[str, dict[str, list[float]]] | None = None
    cmax_percentiles_ng_ml: dict[str, dict[str, float]] | None = None


class PhaseOut(Schema):
    name: str
    sessions: int | None
    per_week: int
    min_hours_apart: int


class ProtocolOut(Schema):
    id: str
    version: str
    name: str
    clinic: uuid.UUID | None = Field(None, description="Set for a clinic's own copy")
    based_on: str | None = Field(None, description="The library protocol a copy adjusts")
    product: str
    route: str
    indication: str
    label_region: str | None
    experimental: bool
    weight_based: bool
    default_mg_per_kg: Decimal | None
    min_mg_per_kg: Decimal | None
    max_mg_per_kg: Decimal | None
    ceiling_mg_per_kg: Decimal | None
    default_duration_min: Decimal | None
    min_duration_min: Decimal | None
    max_duration_min: Decimal | None
    doses_mg: list[int]
    start_mg: int | None
    start_mg_65_plus: int | None
    dosing_weight: str = Field(description="actual, ideal, adjusted or actual_capped")
    dosing_weight_cap_kg: Decimal | None
    max_mg_per_session: Decimal | None = Field(description="Never exceeded, override or not")
    max_mg_per_kg_per_week: Decimal | None
    max_mg_per_week: int | None
    max_mg_per_kg_per_min: Decimal | None = Field(
        description="The fastest an infusion may run (ceiling over the shortest infusion)"
    )
    weight_max_age_days: int
    min_age_years: int | None
    adult_label_only: bool
    phases: list[PhaseOut]
    sources: list[str]


class PhaseIn(BodySchema):
    name: Annotated[str, Field(max_length=60)]
    sessions: Annotated[int, Field(ge=1, le=12)] | None = None
    per_week: Annotated[int, Field(ge=1, le=7)] | None = None
    min_hours_apart: Annotated[int, Field(ge=1, le=2000)] | None = None


class Changes(BodySchema):
    """What a clinic may adjust; each must stay inside the library protocol."""

    min_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    default_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    max_mg_per_kg: Annotated[Decimal, Field(gt=0, le=10, decimal_places=3)] | None = None
    min_duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    default_duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    max_duration_min: Annotated[Decimal, Field(gt=0, le=240, decimal_places=1)] | None = None
    doses_mg: Annotated[list[Annotated[int, Field(ge=1, le=1000)]], Field(max_length=10)] | None = (
        None
    )
    phases: Annotated[list[PhaseIn], Field(max_length=10)] | None = None
    dosing_weight: Literal["actual", "ideal", "adjusted", "actual_capped"] | None = None
    dosing_weight_cap_kg: Annotated[Decimal, Field(ge=30, le=350, decimal_places=1)] | None = None
    max_mg_per_session: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=1)] | None = None
    max_mg_per_kg_per_week: Annotated[Decimal, Field(gt=0, le=30, decimal_places=2)] | None = None
    max_mg_per_week: Annotated[int, Field(ge=1, le=1000)] | None = None
    weight_max_age_days: Annotated[int, Field(ge=1, le=365)] | None = None


class ProtocolCopy(BodySchema):
    clinic: uuid.UUID | None = None
    base: Annotated[str, Field(max_length=60)]
    key: Annotated[str, Field(max_length=50)]
    name: Annotated[str, line(200)]
    changes: Changes = Field(default_factory=Changes)
    reason: Annotated[str, line(2000)]


class ProtocolRevision(BodySchema):
    clinic: uuid.UUID | None = None
    version: Annotated[int, Field(ge=1)] = Field(..., description="The version you are changing")
    name: Annotated[str, line(200)] | None = None
    changes: Changes = Field(default_factory=Changes)
    reason: Annotated[str, line(2000)]


class ProtocolRetire(BodySchema):
    clinic: uuid.UUID | None = None
    version: Annotated[int, Field(ge=1)]
    reason: Annotated[str, line(2000)]


class VersionOut(Schema):
    key: str
    version: int
    name: str
    base_id: str
    base_version: str
    changes: dict[str, Any]
    reason: str
    retired: bool
    created_at: datetime
    created_by: uuid.UUID = Field(..., alias="created_by_id")
