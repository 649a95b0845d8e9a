"""API shapes for instruments, assessments, outcomes, links and alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import PastDateTime, line

ContextCode = Literal["baseline", "pre_dose", "post_dose", "4h", "24h", "weekly", "ad_hoc"]
InstrumentId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class ChoiceOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    id: str
    text: str
    min: int
    max: int
    choices: list[ChoiceOut]
    loinc: str | None


class BandOut(Schema):
    low: int
    high: int
    code: str
    label: str


class FlagRuleOut(Schema):
    code: str
    message: str
    item: str | None
    at_least: int | None
    at_most: int | None
    alert: bool


class SubscaleOut(Schema):
    id: str
    name: str
    items: list[str]


class InstrumentOut(Schema):
    id: str
    version: str
    name: str
    short_name: str
    respondent: str
    instructions: str
    items: list[ItemOut]
    scoring_groups: list[list[str]]
    total_min: int
    total_max: int
    bands: list[BandOut]
    flags: list[FlagRuleOut]
    subscales: list[SubscaleOut]
    loinc_panel: str | None
    loinc_total: str | None
    outcome_measure: bool
    remission_at_most: int | None
    source: str
    licence: str
    builtin: bool


class InstrumentLoad(BodySchema):
    definition: dict[str, Any]
    clinic: uuid.UUID | None = None


class LoadedInstrumentOut(Schema):
    id: uuid.UUID
    instrument_id: str
    version: str
    clinic: uuid.UUID = Field(..., alias="clinic_id")
    loaded_at: datetime


class AssessmentCreate(BodySchema):
    instrument: InstrumentId
    items: dict[Annotated[str, Field(max_length=40)], Any] = Field(
        ..., description="Every item's answer, by item id", max_length=200
    )
    administered_at: PastDateTime
    context: ContextCode
    treatment_session: uuid.UUID | None = None


class FlagOut(Schema):
    code: str
    message: str
    alert: bool


class AssessmentOut(Schema):
    id: uuid.UUID
    version: int
    status: str
    entered_in_error_reason: str
    instrument: str = Field(..., alias="instrument_id")
    instrument_version: str
    instrument_name: str
    items: dict[str, int] = Field(..., alias="answers")
    total: int
    severity: str = Field(..., alias="band_code")
    severity_label: str = Field(..., alias="band_label")
    flags: list[FlagOut]
    subscales: dict[str, int]
    administered_at: datetime
    context: str
    source: str
    treatment_session: uuid.UUID | None = Field(None, alias="treatment_session_id")


class AssessmentCreated(AssessmentOut):
    alert_ids: list[uuid.UUID] = Field([], description="Safety alerts this answer raised")
    crisis_resources: str | None = Field(
        None, description="For a patient whose answer raised an alert: show this at once"
    )


class PointOut(Schema):
    at: datetime
    total: int
    context: str


class DoseResponseOut(Schema):
    context: str
    pre_dose_at: datetime
    pre_dose_total: int
    after_at: datetime
    after_total: int
    pct_change: float | None
    response: bool


class OutcomeOut(Schema):
    instrument: str
    instrument_name: str
    outcome_measure: bool
    remission_at_most: int | None
    status: str | None
    baseline: PointOut | None
    latest: PointOut | None
    change: int | None
    pct_change: float | None
    response: bool
    remission: bool
    first_response_at: datetime | None
    days_to_first_response: int | None
    response_lasted_days: int | None
    relapse_at: datetime | None
    dose_responses: list[DoseResponseOut]
    trajectory: list[PointOut]


class LinkCreate(BodySchema):
    instrument: InstrumentId
    context: ContextCode = "ad_hoc"
    expires_in_hours: Annotated[int, Field(ge=1, le=24 * 14)] = 48


class LinkOut(Schema):
    id: uuid.UUID
    url: str
    expires_at: datetime
    instrument: str


class AlertOut(Schema):
    id: uuid.UUID
    patient: uuid.UUID = Field(..., alias="patient_id")
    clinic: uuid.UUID = Field(..., alias="clinic_id")
    assessment: uuid.UUID = Field(..., alias="assessment_id")
    kind: str
    code: str
    message: str
    raised_at: datetime
    acknowledged_at: datetime | None
    action_note: str


class AlertAcknowledge(BodySchema):
    action_note: Annotated[str, line(2000, min_length=5)]


class AlertFilters(Schema):
    status: Literal["open", "acknowledged", "all"] = "open"
    clinic: uuid.UUID | None = None
