"""The API's shapes for a patient's message choices and the message log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from ketamine_clinic.common.api_contract import BodySchema


class PreferenceIn(BodySchema):
    channel: Literal["email", "sms"]
    reminders: bool = True
    questionnaires: bool = True
    version: Annotated[int, Field(ge=1)] | None = Field(
        None, description="The version you saw; leave out for the first choice"
    )


class PreferenceOut(Schema):
    channel: str
    reminders: bool
    questionnaires: bool
    sms_stopped: bool
    email_stopped: bool
    basis: str
    version: int | None


class MessageOut(Schema):
    id: uuid.UUID
    kind: str
    channel: str
    to: str
    subject: str
    body: str
    due_at: datetime
    state: str
    attempts: int
    last_error: str
    basis: str
    sent_at: datetime | None
