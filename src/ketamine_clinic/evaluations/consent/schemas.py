"""The shapes the consent API takes and gives."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import PastDate, line, paragraph

ProductCode = Literal["iv_racemic", "im_racemic", "esketamine_nasal"]


class DocumentCreate(BodySchema):
    product: ProductCode
    title: Annotated[str, line(200)]
    body_markdown: Annotated[str, paragraph(50000)] = Field(..., min_length=20)
    clinic: uuid.UUID | None = None


class DocumentOut(Schema):
    id: uuid.UUID
    clinic: uuid.UUID = Field(..., alias="clinic_id")
    product: str
    version: int
    title: str
    body_markdown: str
    created_at: datetime


class ConsentCreate(BodySchema):
    document: uuid.UUID
    signed_name: Annotated[str, line(200)]
    signature_typed: Annotated[str, line(200, min_length=0)] = ""
    signature_image: Annotated[str, Field(max_length=300_000)] = ""


class ConsentOut(Schema):
    id: uuid.UUID
    patient: uuid.UUID = Field(..., alias="patient_id")
    document: uuid.UUID = Field(..., alias="document_id")
    document_version: int = Field(..., alias="document.version")
    product: str
    signed_name: str
    signature_kind: str
    patient_signed_at: datetime
    witness: uuid.UUID = Field(..., alias="witness_id")
    witnessed_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str
    status: str
    version: int


class WithdrawRequest(BodySchema):
    reason: Annotated[str, line(1000, min_length=3)]


class RemsCreate(BodySchema):
    enrolled_on: PastDate
    enrolment_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{3,60}$")]
    patient_signed: bool


class RemsOut(Schema):
    id: uuid.UUID
    enrolled_on: date
    enrolment_id: str
    patient_signed: bool
    prescriber: uuid.UUID = Field(..., alias="prescriber_id")
