"""API shapes for patients and their records: separate write (`*Create`, `*Update`) and read
(`*Out`) shapes, with a range on every clinical quantity."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field

from ketamine_clinic.clinical.measurements import HEIGHT_CM, WEIGHT_KG
from ketamine_clinic.common.api_contract import BodySchema, not_null
from ketamine_clinic.common.schema_types import (
    BirthDate,
    EmailOrEmpty,
    PastDate,
    PastDateTime,
    line,
    optional_line,
    paragraph,
)


def places(n: int) -> AfterValidator:
    """Databases return 64.5 or 64.50 for the same stored value; the API always says 64.50."""
    step = Decimal(1).scaleb(-n)
    return AfterValidator(lambda value: value.quantize(step))


Measured = Annotated[Decimal, places(2)]
SexCode = Literal["female", "male", "other", "unknown"]
WeightKg = Annotated[Decimal, Field(ge=WEIGHT_KG.low, le=WEIGHT_KG.high, decimal_places=2)]
HeightCm = Annotated[Decimal, Field(ge=HEIGHT_CM.low, le=HEIGHT_CM.high, decimal_places=2)]
Mrn = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")]
# ICD-10 (WHO) and ICD-10-CM: a letter, two characters, optionally a dot and up to 4 more.
Icd10 = Annotated[str, Field(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
Version = Annotated[int, Field(ge=1, description="The version of the record you edited")]


class ContactFields(BodySchema):
    phone: Annotated[str, optional_line(40)] = ""
    email: EmailOrEmpty = ""
    address: Annotated[str, optional_line(500)] = ""
    emergency_contact_name: Annotated[str, optional_line(200)] = ""
    emergency_contact_phone: Annotated[str, optional_line(40)] = ""
    emergency_contact_relationship: Annotated[str, optional_line(60)] = ""


class PatientCreate(ContactFields):
    given_name: Annotated[str, line(100)]
    family_name: Annotated[str, line(100)]
    birth_date: BirthDate
    sex: SexCode
    weight_kg: WeightKg
    height_cm: HeightCm
    mrn: Mrn | None = Field(None, description="Assigned by the clinic when left out")
    clinic: uuid.UUID | None = Field(
        None, description="Needed only when you work in more than one clinic"
    )
    confirm_not_duplicate: bool = Field(
        False, description="Register even though a patient with this name and birth date exists"
    )


class PatientUpdate(BodySchema):
    version: Version
    given_name: Annotated[str, line(100)] | None = None
    family_name: Annotated[str, line(100)] | None = None
    birth_date: BirthDate | None = None
    sex: SexCode | None = None
    mrn: Mrn | None = None
    phone: Annotated[str, optional_line(40)] | None = None
    email: EmailOrEmpty | None = None
    address: Annotated[str, optional_line(500)] | None = None
    emergency_contact_name: Annotated[str, optional_line(200)] | None = None
    emergency_contact_phone: Annotated[str, optional_line(40)] | None = None
    emergency_contact_relationship: Annotated[str, optional_line(60)] | None = None

    _no_null = not_null(
        "given_name",
        "family_name",
        "birth_date",
        "sex",
        "mrn",
        "phone",
        "email",
        "address",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
    )


# What an edit may change: everything in the update shape but the version it names.
EDITABLE_PATIENT_FIELDS = frozenset(PatientUpdate.model_fields) - {"version"}
CONTACT_FIELDS = tuple(ContactFields.model_fields)


class EnteredInError(BodySchema):
    version: Version
    reason: Annotated[str, line(500, min_length=5)]


class RecordMeta(Schema):
    id: uuid.UUID
    version: int
    status: str
    entered_in_error_reason: str
    created_at: datetime
    updated_at: datetime


class PatientOut(RecordMeta):
    clinic: uuid.UUID = Field(..., alias="clinic_id")
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: str
    phone: str
    email: str
    address: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relationship: str
    weight_kg: Measured | None = None
    weight_measured_at: datetime | None = None
    height_cm: Measured | None = None


class PatientCreated(PatientOut):
    possible_duplicates: list[str] = []


# --- Chart records ------------------------------------------------------------------------


class MeasurementCreate(BodySchema):
    kind: Literal["weight_kg", "height_cm"]
    value: Annotated[Decimal, Field(gt=0, decimal_places=2, max_digits=6)]
    measured_at: PastDateTime


class MeasurementOut(RecordMeta):
    kind: str
    value: Measured
    measured_at: datetime


class AllergyCreate(BodySchema):
    substance: Annotated[str, line(200)]
    reaction: Annotated[str, optional_line(500)] = ""
    severity: Literal["mild", "moderate", "severe", "unknown"] = "unknown"
    noted_on: PastDate | None = None


class AllergyUpdate(BodySchema):
    version: Version
    substance: Annotated[str, line(200)] | None = None
    reaction: Annotated[str, optional_line(500)] | None = None
    severity: Literal["mild", "moderate", "severe", "unknown"] | None = None
    noted_on: PastDate | None = None

    _no_null = not_null("substance", "reaction", "severity")


class AllergyOut(RecordMeta):
    substance: str
    reaction: str
    severity: str
    noted_on: date | None


class MedicationCreate(BodySchema):
    name: Annotated[str, line(200)]
    dose: Annotated[str, optional_line(200)] = ""
    indication: Annotated[str, optional_line(200)] = ""
    started_on: PastDate | None = None
    stopped_on: PastDate | None = None


class MedicationUpdate(BodySchema):
    version: Version
    name: Annotated[str, line(200)] | None = None
    dose: Annotated[str, optional_line(200)] | None = None
    indication: Annotated[str, optional_line(200)] | None = None
    started_on: PastDate | None = None
    stopped_on: PastDate | None = None

    _no_null = not_null("name", "dose", "indication")


class MedicationOut(RecordMeta):
    name: str
    dose: str
    indication: str
    started_on: date | None
    stopped_on: date | None


class DiagnosisCreate(BodySchema):
    icd10_code: Icd10
    text: Annotated[str, line(300)]
    onset_on: PastDate | None = None
    is_primary: bool = False


class DiagnosisUpdate(BodySchema):
    version: Version
    icd10_code: Icd10 | None = None
    text: Annotated[str, line(300)] | None = None
    onset_on: PastDate | None = None
    is_primary: bool | None = None

    _no_null = not_null("icd10_code", "text", "is_primary")


class DiagnosisOut(RecordMeta):
    icd10_code: str
    text: str
    onset_on: date | None
    is_primary: bool


TrialKind = Literal["antidepressant", "augmentation", "psychotherapy", "ect", "tms", "other"]
TrialOutcome = Literal["no_response", "partial", "response", "intolerance", "unknown"]


class TreatmentTrialCreate(BodySchema):
    kind: TrialKind
    name: Annotated[str, line(200)]
    dose_mg_per_day: Annotated[Decimal, Field(gt=0, le=100000, decimal_places=2)] | None = None
    duration_weeks: Annotated[Decimal, Field(ge=0, le=1040, decimal_places=1)] | None = None
    sessions: Annotated[int, Field(ge=0, le=1000)] | None = None
    adequate: bool | None = None
    in_current_episode: bool = True
    outcome: TrialOutcome = "unknown"
    started_on: PastDate | None = None
    ended_on: PastDate | None = None
    notes: Annotated[str, paragraph(1000)] = ""


class TreatmentTrialUpdate(BodySchema):
    version: Version
    kind: TrialKind | None = None
    name: Annotated[str, line(200)] | None = None
    dose_mg_per_day: Annotated[Decimal, Field(gt=0, le=100000, decimal_places=2)] | None = None
    duration_weeks: Annotated[Decimal, Field(ge=0, le=1040, decimal_places=1)] | None = None
    sessions: Annotated[int, Field(ge=0, le=1000)] | None = None
    adequate: bool | None = None
    in_current_episode: bool | None = None
    outcome: TrialOutcome | None = None
    started_on: PastDate | None = None
    ended_on: PastDate | None = None
    notes: Annotated[str, paragraph(1000)] | None = None

    _no_null = not_null("kind", "name", "in_current_episode", "outcome", "notes")


class TreatmentTrialOut(RecordMeta):
    kind: str
    name: str
    dose_mg_per_day: Measured | None
    duration_weeks: Annotated[Decimal, places(1)] | None
    sessions: int | None
    adequate: bool | None
    in_current_episode: bool
    outcome: str
    started_on: date | None
    ended_on: date | None
    notes: str
