"""The shapes the ledger's API takes and gives."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from ketamine_clinic.common.api_contract import BodySchema
from ketamine_clinic.common.schema_types import line

Mg = Annotated[Decimal, Field(gt=0, le=100000, decimal_places=3)]


class ProductIn(BodySchema):
    clinic: uuid.UUID | None = None
    name: Annotated[str, line(200)]
    ndc: Annotated[str, Field(pattern=r"^\d{4,5}-\d{3,4}(-\d{1,2})?$")]
    substance: Literal["ketamine", "esketamine"]
    form: Annotated[str, line(100)]
    concentration_mg_per_ml: Annotated[Decimal, Field(gt=0, le=1000, decimal_places=3)] | None = (
        None
    )
    container_mg: Annotated[Decimal, Field(gt=0, le=100000, decimal_places=2)]
    rxnorm: Annotated[
        str, Field(pattern=r"^\d{0,12}$", description="The clinical drug's RxCUI (optional)")
    ] = ""


class ProductOut(Schema):
    id: uuid.UUID
    name: str
    ndc: str
    substance: str
    form: str
    concentration_mg_per_ml: Decimal | None
    container_mg: Decimal
    schedule: str
    rxnorm: str


class ReceiptIn(BodySchema):
    product: uuid.UUID
    count: Annotated[int, Field(ge=1, le=200)]
    lot: Annotated[str, line(60)]
    expires_on: date
    received_at: datetime
    supplier_name: Annotated[str, line(200)]
    supplier_address: Annotated[str, line(500)]
    supplier_dea: Annotated[str, Field(pattern=r"^[A-Z]{2}\d{7}$")]
    invoice: Annotated[str, line(100)]


class ContainerOut(Schema):
    id: uuid.UUID
    label: str
    product: uuid.UUID = Field(..., alias="product_id")
    lot: str
    expires_on: date
    received_at: datetime
    supplier_name: str
    supplier_dea: str
    invoice: str
    balance_mg: Decimal


class TransactionIn(BodySchema):
    container: uuid.UUID
    kind: Literal["waste", "transfer", "destroy", "loss", "adjust"]
    quantity: Mg
    unit: Literal["mg", "mL", "device"]
    event_at: datetime | None = None
    witness_username: Annotated[str, Field(max_length=150)] | None = None
    witness_password: Annotated[str, Field(max_length=200)] | None = None
    reason: Annotated[str, line(1000)] = ""
    reference: Annotated[str, line(100)] = ""
    increase: bool = Field(False, description="adjust only: add to the balance")
    corrects: uuid.UUID | None = None


class TransactionOut(Schema):
    id: uuid.UUID
    container: uuid.UUID = Field(..., alias="container_id")
    kind: str
    event_at: datetime
    recorded_at: datetime
    quantity_mg: Decimal
    entered_quantity: str
    balance_before_mg: Decimal
    balance_after_mg: Decimal
    performer: uuid.UUID = Field(..., alias="performer_id")
    witness: uuid.UUID | None = Field(None, alias="witness_id")
    patient: uuid.UUID | None = Field(None, alias="patient_id")
    session: uuid.UUID | None = Field(None, alias="session_id")
    reason: str
    reference: str
    corrects: uuid.UUID | None = Field(None, alias="corrects_id")
    counterpart: uuid.UUID | None = Field(
        None, alias="counterpart_id", description="A receipt's transfer out at our other location"
    )


class TransferIn(BodySchema):
    container: uuid.UUID
    to_clinic: uuid.UUID
    quantity: Mg
    unit: Literal["mg", "mL", "device"]
    reference: Annotated[str, line(100, min_length=1)]
    reason: Annotated[str, line(1000)] = ""
    event_at: datetime | None = None


class TransferOut(Schema):
    out: TransactionOut
    received: TransactionOut
    container: ContainerOut


class RegistrationIn(BodySchema):
    clinic: uuid.UUID | None = None
    dea_number: Annotated[str, Field(max_length=9)]
    name: Annotated[str, line(200, min_length=1)]
    address: Annotated[str, line(500, min_length=5)]
    exact_counts: bool = False


class RegistrationOut(Schema):
    dea_number: str
    name: str
    address: str
    exact_counts: bool


class CountLineIn(BodySchema):
    container: uuid.UUID
    quantity: Annotated[Decimal, Field(ge=0, le=100000, decimal_places=3)]
    unit: Literal["mg", "mL", "device"]
    estimated: bool = False


class CountIn(BodySchema):
    clinic: uuid.UUID | None = None
    kind: Literal["initial", "biennial", "ad_hoc"]
    time_of_day: Literal["opening", "close"]
    taken_at: datetime | None = None
    lines: list[CountLineIn] = Field(..., min_length=1, max_length=2000)
    note: Annotated[str, line(1000)] = ""


class LossReportOut(Schema):
    id: uuid.UUID
    version: int
    discovered_on: date
    quantity_mg: Decimal
    description: str
    notice_due: date
    notice_sent_on: date | None
    form_106_due: date
    form_106_filed_on: date | None
    form_106_reference: str


class CountLineOut(Schema):
    container: uuid.UUID
    expected_mg: Decimal
    counted_mg: Decimal
    difference_mg: Decimal
    estimated: bool


class CountOut(Schema):
    id: uuid.UUID
    kind: str
    time_of_day: str
    taken_at: datetime
    shortfall_mg: Decimal
    review: list[uuid.UUID]
    lines: list[CountLineOut]
    loss_report: LossReportOut | None


class ReconciliationOut(Schema):
    last_inventory: date | None
    biennial_due: date | None
    containers: list[dict[str, Any]]
    loss_reports: list[LossReportOut]


class NoticeIn(BodySchema):
    version: Annotated[int, Field(ge=1)]
    sent_on: date


class Form106In(BodySchema):
    version: Annotated[int, Field(ge=1)]
    filed_on: date
    reference: Annotated[str, line(100, min_length=1)]
