"""The shapes the accounts API takes and gives: tokens, the caller, clinics."""

import uuid
from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import line


class TokenRequest(BodySchema):
    username: Annotated[str, line(150)]
    password: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
    otp: Annotated[str, Field(max_length=12, pattern=r"^[0-9 ]*$")] | None = None


class TokenOut(Schema):
    token: str
    token_id: uuid.UUID
    expires_at: datetime


class TokenInfo(Schema):
    id: uuid.UUID
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class MembershipOut(Schema):
    clinic: uuid.UUID
    clinic_name: str
    role: str


class MeOut(Schema):
    id: uuid.UUID
    username: str
    full_name: str
    memberships: list[MembershipOut]
    patient_id: uuid.UUID | None = None
