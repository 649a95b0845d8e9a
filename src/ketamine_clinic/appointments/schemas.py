"""The calendar's API shapes: places and hours, appointments, free slots and a course's
series as proposed and as booked."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import line, optional_line

Hours = dict[str, list[Annotated[list[str], Field(min_length=2, max_length=2)]]]
Kind = Literal[
    "evaluation", "dosing", "preparation", "integration", "psychotherapy", "follow_up", "telehealth"
]
HOURS = 'Weekly hours, 0 = Monday: {"0": [["08:00", "18:00"]], ...}'


class PlaceIn(BodySchema):
    clinic: uuid.UUID | None = None
    kind: Literal["chair", "room"]
    name: Annotated[str, line(80)]
    hours: Hours = Field(default_factory=dict, description=HOURS)


class PlaceChange(BodySchema):
    version: Annotated[int, Field(ge=1)]
    name: Annotated[str, line(80)] | None = None
    hours: Hours | None = Field(None, description=HOURS)
    active: bool | None = None


class PlaceOut(Schema):
    id: uuid.UUID
    version: int
    kind: str
    name: str
    hours: Hours
    active: bool


class WorkingHoursIn(BodySchema):
    clinic: uuid.UUID | None = None
    hours: Hours = Field(description=HOURS)


class WorkingHoursOut(Schema):
    user: uuid.UUID = Field(alias="user_id")
    hours: Hours
    version: int


class AppointmentIn(BodySchema):
    kind: Kind
    starts_at: AwareDatetime
    place: uuid.UUID | None = Field(None, description="A chair for a dose; none for telehealth")
    staff: list[uuid.UUID] = Field(min_length=1, max_length=4)
    minutes: Annotated[int, Field(ge=10, le=480)] | None = Field(
        None, description="Not for a dose: its length comes from the protocol and the clinic"
    )
    scheduled: uuid.UUID | None = Field(None, description="For a dose: the planned session")
    note: Annotated[str, optional_line(1000)] = ""


class AppointmentOut(Schema):
    id: uuid.UUID
    version: int
    patient: uuid.UUID = Field(alias="patient_id")
    kind: str
    product: str
    starts_at: datetime
    ends_at: datetime
    place: uuid.UUID | None = Field(None, alias="place_id")
    staff: list[uuid.UUID]
    course: uuid.UUID | None = Field(None, alias="course_id")
    scheduled: uuid.UUID | None = Field(None, alias="scheduled_id")
    state: str
    moved_from: datetime | None
    cancel_reason: str
    note: str

    @staticmethod
    def resolve_staff(obj: object) -> list[uuid.UUID]:
        return [u.pk for u in obj.staff.all()]  # type: ignore[attr-defined]


class AppointmentMove(BodySchema):
    version: Annotated[int, Field(ge=1)]
    starts_at: AwareDatetime
    place: uuid.UUID | None = None
    staff: list[uuid.UUID] | None = Field(None, min_length=1, max_length=4)


class AppointmentCancel(BodySchema):
    version: Annotated[int, Field(ge=1)]
    reason: Annotated[str, line(500, min_length=5)]


class AppointmentState(BodySchema):
    version: Annotated[int, Field(ge=1)]
    state: Literal["arrived", "completed", "no_show"]


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    place: uuid.UUID
    place_name: str
    staff: list[uuid.UUID]


class SeriesIn(BodySchema):
    start: date
    staff: list[uuid.UUID] = Field(default_factory=list, max_length=4)


class ProposalOut(Schema):
    scheduled: uuid.UUID
    phase: str
    slot: SlotOut
