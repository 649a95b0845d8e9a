"""The shapes the notes API takes and gives."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import PastDate, line, paragraph

NoteKind = Literal["evaluation", "psychotherapy", "integration", "follow_up", "other"]


class NoteCreate(BodySchema):
    kind: NoteKind
    title: Annotated[str, line(200)] | None = Field(None, description="Defaults to the template's")
    body: Annotated[str, paragraph(50000)] | None = Field(
        None, description="Leave out to start from the template's headings"
    )
    occurred_on: PastDate
    addendum_to: uuid.UUID | None = None


class NoteUpdate(BodySchema):
    version: Annotated[int, Field(ge=1)]
    title: Annotated[str, line(200)] | None = None
    body: Annotated[str, paragraph(50000)] | None = None
    occurred_on: PastDate | None = None


class NoteSign(BodySchema):
    version: Annotated[int, Field(ge=1)]


class NoteOut(Schema):
    id: uuid.UUID
    patient: uuid.UUID = Field(..., alias="patient_id")
    kind: str
    title: str
    body: str
    occurred_on: date
    version: int
    status: str
    author: uuid.UUID | None = Field(None, alias="created_by_id")
    signed_at: datetime | None
    addendum_to: uuid.UUID | None = Field(None, alias="addendum_to_id")


class TemplateOut(Schema):
    kind: str
    title: str
    body: str
