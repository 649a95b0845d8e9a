"""API shapes for evaluations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, field_validator

from ketamine_clinic.common.api_contract import BodySchema, not_null
from ketamine_clinic.common.schema_types import PastDate, line, paragraph

InteractionClass = Literal["benzodiazepine", "opioid", "sedative_hypnotic", "stimulant", "maoi"]
ReasonCode = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,60}$")]
Version = Annotated[int, Field(ge=1)]


class OverrideIn(BodySchema):
    basis: Literal[
        "benefit_outweighs_risk", "risk_controlled", "specialist_advice", "informed_choice"
    ] = Field(description="Why a relative contraindication is set aside (clinical/eligibility)")
    reason: Annotated[str, line(2000, min_length=10)]


class EvaluationFields(BodySchema):
    evaluated_on: PastDate
    diagnosis: Literal["mdd", "bipolar_depression", "mdd_with_si", "other"]
    product: Literal["iv_racemic", "im_racemic", "esketamine_nasal"]
    indication: Literal["trd", "mdsi", "off_label"]
    label_region: Literal["US", "EU"] = "US"
    episode_months: Annotated[int, Field(ge=0, le=1200)]
    episode_severity: Literal["subsyndromal", "mild", "moderate", "severe", "severe_psychotic"]
    psychosis_history: bool = False
    current_psychosis: bool = False
    current_mania: bool = False
    ketamine_misuse: bool = False
    substance_use: Literal["none", "history", "active"] = "none"
    urine_tox: Literal["not_done", "negative", "positive_explained", "positive"] = "not_done"
    aneurysmal_vascular_disease: bool = False
    arteriovenous_malformation: bool = False
    intracerebral_haemorrhage: bool = False
    cardiovascular_event_weeks_ago: Annotated[int, Field(ge=0, le=5200)] | None = None
    unstable_cardiorespiratory: bool = False
    raised_intracranial_pressure: bool = False
    systolic_mmhg: Annotated[int, Field(ge=50, le=300)] | None = None
    diastolic_mmhg: Annotated[int, Field(ge=20, le=200)] | None = None
    hepatic_impairment: Literal["none", "mild", "moderate", "severe"] = "none"
    pregnant: bool = False
    breastfeeding: bool = False
    hypersensitivity: bool = False
    medication_classes: list[InteractionClass] = Field(default_factory=list, max_length=5)
    narrative: Annotated[str, paragraph(20000)] = ""
    overrides: dict[ReasonCode, OverrideIn] = Field(
        default_factory=dict,
        description="Relative contraindications the prescriber overrides: code -> basis and "
        "written reason (who and when are recorded)",
        max_length=30,
    )

    @field_validator("medication_classes")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class EvaluationCreate(EvaluationFields):
    pass


class EvaluationUpdate(BodySchema):
    version: Version
    evaluated_on: PastDate | None = None
    diagnosis: Literal["mdd", "bipolar_depression", "mdd_with_si", "other"] | None = None
    product: Literal["iv_racemic", "im_racemic", "esketamine_nasal"] | None = None
    indication: Literal["trd", "mdsi", "off_label"] | None = None
    episode_months: Annotated[int, Field(ge=0, le=1200)] | None = None
    systolic_mmhg: Annotated[int, Field(ge=50, le=300)] | None = None
    diastolic_mmhg: Annotated[int, Field(ge=20, le=200)] | None = None
    psychosis_history: bool | None = None
    current_psychosis: bool | None = None
    current_mania: bool | None = None
    ketamine_misuse: bool | None = None
    substance_use: Literal["none", "history", "active"] | None = None
    medication_classes: list[InteractionClass] | None = None
    narrative: Annotated[str, paragraph(20000)] | None = None
    overrides: dict[ReasonCode, OverrideIn] | None = None

    # Blood pressure may be cleared (null); every other field is left out to keep it.
    _no_null = not_null(
        "evaluated_on", "diagnosis", "product", "indication", "episode_months",
        "psychosis_history", "current_psychosis", "current_mania", "ketamine_misuse",
        "substance_use", "medication_classes", "narrative", "overrides",
    )  # fmt: skip


class SignRequest(BodySchema):
    version: Version


class EvaluationOut(Schema):
    id: uuid.UUID
    patient: uuid.UUID = Field(..., alias="patient_id")
    version: int
    status: str
    sign_status: str
    signed_at: datetime | None
    amends: uuid.UUID | None = Field(None, alias="amends_id")
    evaluated_on: date
    diagnosis: str
    product: str
    indication: str
    label_region: str
    episode_months: int
    episode_severity: str
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    medication_classes: list[str]
    narrative: str
    overrides: dict[str, Any]
    decision: str
    reasons: list[dict[str, Any]]
    trd: dict[str, Any]


class EligibilityOut(Schema):
    ready: bool
    product: str
    missing: list[str]
