"""The shapes the chair's API takes and gives."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import line

Version = Annotated[int, Field(ge=1, description="The session version your screen shows")]


class SessionOpen(BodySchema):
    scheduled: uuid.UUID | None = Field(
        None, description="The planned dosing day; default: today's in this course"
    )


class StepIn(BodySchema):
    version: Version


class ChecksIn(BodySchema):
    version: Version
    identity_confirmed: bool
    ride_home: bool
    ride_name: Annotated[str, line(200)] = ""
    last_food_at: datetime | None = None
    last_liquid_at: datetime | None = None
    nasal_steroid_decongestant_at: datetime | None = None
    pregnancy: Literal["not_applicable", "not_pregnant", "pregnant", "unknown"]
    intoxicated: bool = Field(False, description="Signs of intoxication: no dosing today")
    urinary_symptoms: Literal["", "none", "present"] = Field(
        "", description="Urinary or bladder symptoms, asked at every dosing session; '' = not asked"
    )
    medication_changes: Annotated[str, line(2000)] = ""
    benzodiazepines: bool
    non_benzodiazepine_sedative_hypnotics: bool
    psychostimulants: bool
    maois: bool
    opioids: bool
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class PassIn(BodySchema):
    version: Version
    override_reason: Annotated[str, line(2000)] = Field(
        "", description="A prescriber's reason to dose despite an overridable finding"
    )


class VitalsIn(BodySchema):
    version: Version
    at: datetime | None = None
    systolic_mmhg: Annotated[int, Field(ge=0, le=400)] | None = None
    diastolic_mmhg: Annotated[int, Field(ge=0, le=400)] | None = None
    heart_rate_bpm: Annotated[int, Field(ge=0, le=400)] | None = None
    spo2_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    respiratory_rate_per_min: Annotated[int, Field(ge=0, le=100)] | None = None
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class DoseIn(BodySchema):
    version: Version
    action: Literal[
        "device", "iv_start", "iv_pause", "iv_resume", "iv_rate", "iv_stop", "im_injection", "oral"
    ]
    at: datetime | None = None
    container: uuid.UUID | None = Field(
        None, description="The container drawn from (device, infusion start, injection)"
    )
    drawn_mg: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)] | None = None
    given_mg: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)] | None = None
    waste_mg: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)] | None = None
    rate_ml_per_h: Annotated[Decimal, Field(gt=0, le=2000, decimal_places=2)] | None = None
    note: Annotated[str, line(1000)] = ""


class ObservationIn(BodySchema):
    version: Version
    scale: Literal["moaas", "cadss", "bprs_plus"]
    score: Annotated[int, Field(ge=0, le=92)] = Field(
        description="MOAA/S 0-5, CADSS 0-92, BPRS+ 4-28 (the instruments' totals; /instruments)"
    )
    note: Annotated[str, line(1000)] = ""
    at: datetime | None = None
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class AdverseEventIn(BodySchema):
    version: Version
    kind: Literal[
        "dissociation",
        "nausea",
        "vomiting",
        "dizziness",
        "hallucinations",
        "confusion",
        "sedation",
        "raised_bp",
        "respiratory_depression",
        "other",
    ]
    severity: Literal["mild", "moderate", "severe"]
    action_taken: Annotated[str, line(1000)] = ""
    serious: bool = False
    resolved_at: datetime | None = None
    at: datetime | None = None
    corrects: uuid.UUID | None = None
    correction_reason: Annotated[str, line(500)] = ""


class ReadyIn(BodySchema):
    version: Version
    responsible_adult: Annotated[str, line(200, min_length=2)]
    ready_without_rule_min: Annotated[int, Field(ge=0, le=600)] | None = Field(
        None, description="REMS: minutes from the first device to when they could have left"
    )
    vitals_override_reason: Annotated[str, line(2000)] = Field(
        "", description="A prescriber's reason to let the patient go with vitals out of range"
    )


class DischargeIn(BodySchema):
    version: Version
    note: Annotated[str, line(2000)] = ""


class AbortIn(BodySchema):
    version: Version
    reason: Annotated[str, line(1000, min_length=3)]


class TransitionOut(Schema):
    from_state: str
    to_state: str
    at: datetime
    by: uuid.UUID = Field(..., alias="by_id")
    note: str


class EntryOut(Schema):
    id: uuid.UUID
    type: str
    at: datetime
    recorded_at: datetime
    recorded_by: uuid.UUID
    corrects: uuid.UUID | None
    correction_reason: str
    current: bool
    data: dict[str, Any]


class DueNowOut(Schema):
    what: str
    at_min: int
    overdue: bool


class SessionOut(Schema):
    id: uuid.UUID
    version: int
    patient: uuid.UUID = Field(..., alias="patient_id")
    course: uuid.UUID = Field(..., alias="course_id")
    order: uuid.UUID = Field(..., alias="order_id")
    scheduled: uuid.UUID | None = Field(None, alias="scheduled_id")
    product: str
    route: str
    state: str
    on: date
    checked_in_at: datetime | None
    checks_passed_at: datetime | None
    dosing_started_at: datetime | None
    monitoring_started_at: datetime | None
    ready_at: datetime | None
    discharged_at: datetime | None
    aborted_at: datetime | None
    abort_reason: str
    bp_override_reason: str
    responsible_adult: str
    ready_without_rule_min: int | None


class TimelineOut(SessionOut):
    transitions: list[TransitionOut]
    entries: list[EntryOut]
    due: list[DueNowOut]
    pre_dose_problems: list[str]
    pre_dose_overridable: list[str]
    pre_dose_warnings: list[str]
    discharge_problems: list[str]
    alerts: list[str]
    alert_steps: list[str] = Field(description="What to do first, for the alerts standing now")
    alert_pump: Literal["pause", "stop"] | None = Field(
        description="For a running infusion: pause or stop it"
    )


class RemsFormOut(Schema):
    session: uuid.UUID
    form: dict[str, Any]
    missing: list[str]
    due_on: date
    status: str
    submitted_at: datetime | None
    reference: str


class SubmittedIn(BodySchema):
    version: Version
    reference: Annotated[str, line(100)] = Field("", description="The REMS confirmation, if any")


class DueOut(Schema):
    session: uuid.UUID
    patient: uuid.UUID
    patient_name: str
    on: date
    due_on: date
    status: str
    signed: bool


class FollowUpIn(BodySchema):
    which: list[Literal["4h", "24h"]] = Field(..., min_length=1, max_length=2)


class FollowUpOut(Schema):
    context: str
    url: str
    opens_at: datetime
    expires_at: datetime


class WasteIn(BodySchema):
    version: Version
    witness_username: Annotated[str, Field(max_length=150)]
    witness_password: Annotated[str, Field(max_length=200)]


class LineOut(Schema):
    code: str
    description: str
    units: Decimal
    fee: Decimal | None
    amount: Decimal | None


class BillingOut(Schema):
    given_mg: Decimal
    final: bool = Field(
        description="True once the record is signed: the lines are frozen as they were then"
    )
    lines: list[LineOut]
