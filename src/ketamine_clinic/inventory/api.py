"""The ledger over the API: products, containers (lots) with their balances, transactions."""

import uuid
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Status

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical import reconciliation as rules
from ketamine_clinic.common.api_contract import QueryDate
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.schema_types import files
from ketamine_clinic.inventory import actions, queries, reports
from ketamine_clinic.inventory.models import (
    Container,
    LedgerTransaction,
    LossReport,
    Product,
    Registration,
)
from ketamine_clinic.inventory.schemas import (
    ContainerOut,
    CountIn,
    CountOut,
    Form106In,
    LossReportOut,
    NoticeIn,
    ProductIn,
    ProductOut,
    ReceiptIn,
    ReconciliationOut,
    RegistrationIn,
    RegistrationOut,
    TransactionIn,
    TransactionOut,
    TransferIn,
    TransferOut,
)
from ketamine_clinic.inventory.witness import authenticate_witness
from ketamine_clinic.patients.access import clinics_where, one_clinic, the_clinic

router = Router(tags=["inventory"])


def _container(user: User, container_id: uuid.UUID, capability: Capability) -> Container:
    """A container of one of the user's clinics where their role allows this; 404 otherwise."""
    found = queries.container(container_id)
    if found is None or found.clinic_id not in clinics_where(user, Capability.VIEW_LEDGER):
        raise Http404("no such container")
    if found.clinic_id not in clinics_where(user, capability):
        raise PermissionDenied("your role does not do this in the ledger")
    return found


def _role(user: User, clinic_id: Any) -> str:
    return str(user.role_in(clinic_id))


@router.get("/inventory/products", response=list[ProductOut], summary="The clinic's products")
def products(request: HttpRequest, clinic: uuid.UUID | None = None) -> list[Product]:
    clinic_id = one_clinic(request_user(request), clinic, Capability.VIEW_LEDGER)
    return list(queries.products(clinic_id))


@router.post(
    "/inventory/products", response={201: ProductOut}, summary="Add a product (admins, prescribers)"
)
def add_product(request: HttpRequest, payload: ProductIn) -> Status:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_LEDGER)
    values = payload.model_dump(exclude={"clinic"})
    product = actions.add_product(api_actor(request), clinic, values)
    return Status(201, product)


@router.get("/inventory/lots", response=list[ContainerOut], summary="Containers and balances")
def lots(
    request: HttpRequest, clinic: uuid.UUID | None = None, empty: bool = False
) -> list[Container]:
    clinic_id = one_clinic(request_user(request), clinic, Capability.VIEW_LEDGER)
    return list(queries.containers(clinic_id, empty=empty))


@router.post(
    "/inventory/lots",
    response={201: list[ContainerOut]},
    summary="Receive containers from a supplier (each booked in full)",
)
def receive(request: HttpRequest, payload: ReceiptIn) -> Status:
    user = request_user(request)
    product = queries.product(payload.product)
    allowed = set(clinics_where(user, Capability.RECORD_LEDGER)) | set(
        clinics_where(user, Capability.MANAGE_LEDGER)
    )
    if not allowed:
        raise PermissionDenied("your role does not receive stock")
    if product is None or product.clinic_id not in clinics_where(user, Capability.VIEW_LEDGER):
        raise InvalidInput("product", "no such product in your clinic")
    if product.clinic_id not in allowed:
        raise PermissionDenied("your role does not receive stock")
    receipt = actions.Receipt(product=product, **payload.model_dump(exclude={"product"}))
    clinic = the_clinic(user, product.clinic_id, None)
    containers = actions.receive(api_actor(request), _role(user, clinic.pk), clinic, receipt)
    return Status(201, containers)


@router.get(
    "/inventory/transactions",
    response=list[TransactionOut],
    summary="Ledger transactions, oldest first (one container, or the clinic's)",
)
def transactions(
    request: HttpRequest, container: uuid.UUID | None = None, clinic: uuid.UUID | None = None
) -> list[LedgerTransaction]:
    user = request_user(request)
    if container is not None:
        found = _container(user, container, Capability.VIEW_LEDGER)
        return list(queries.transactions(container=found))
    clinic_id = one_clinic(user, clinic, Capability.VIEW_LEDGER)
    return list(queries.transactions(clinic_id=clinic_id))


def _entry(request: HttpRequest, payload: Any, clinic_id: Any, kind: str) -> actions.Entry:
    """The movement as entered, with the witness signed in when it is a waste."""
    witness, witness_role = (
        authenticate_witness(request, payload.witness_username, payload.witness_password, clinic_id)
        if kind == "waste"
        else (None, None)
    )
    corrects = None
    if getattr(payload, "corrects", None) is not None:
        corrects = queries.clinic_transaction(clinic_id, payload.corrects)
        if corrects is None:
            raise InvalidInput("corrects", "no such transaction of this container")
    return actions.Entry(
        kind=kind,
        quantity=payload.quantity,
        unit=payload.unit,
        event_at=payload.event_at or timezone.now(),
        reason=payload.reason,
        reference=payload.reference,
        increase=getattr(payload, "increase", False),
        witness=witness,
        witness_role=witness_role,
        corrects=corrects,
    )


@router.post(
    "/inventory/transactions",
    response={201: TransactionOut},
    summary="Waste (witnessed), transfer out to another registrant, destroy, loss or adjust",
)
def post_transaction(request: HttpRequest, payload: TransactionIn) -> Status:
    user = request_user(request)
    capability = Capability.MANAGE_LEDGER if payload.kind == "adjust" else Capability.RECORD_LEDGER
    container = _container(user, payload.container, capability)
    entry = _entry(request, payload, container.clinic_id, payload.kind)
    role = _role(user, container.clinic_id)
    return Status(201, actions.record(api_actor(request), role, container, entry))


@router.post(
    "/inventory/transfers",
    response={201: TransferOut},
    summary="Move stock to another of your registered locations (both books at once)",
)
def post_transfer(request: HttpRequest, payload: TransferIn) -> Status:
    user = request_user(request)
    container = _container(user, payload.container, Capability.RECORD_LEDGER)
    if payload.to_clinic not in set(clinics_where(user, Capability.RECORD_LEDGER)):
        raise InvalidInput("to_clinic", "not a location where you keep the books")
    to_clinic = the_clinic(user, payload.to_clinic, Capability.RECORD_LEDGER)
    entry = _entry(request, payload, container.clinic_id, "transfer")
    out, received = actions.transfer(
        api_actor(request),
        _role(user, container.clinic_id),
        container,
        entry,
        to_clinic,
        _role(user, to_clinic.pk),
    )
    return Status(201, {"out": out, "received": received, "container": received.container})


@router.get(
    "/inventory/registration",
    response=RegistrationOut,
    summary="The location's DEA registration and count setting",
)
def registration(request: HttpRequest, clinic: uuid.UUID | None = None) -> Registration:
    clinic_id = one_clinic(request_user(request), clinic, Capability.VIEW_LEDGER)
    found = queries.registration(clinic_id)
    if found is None:
        raise Http404("no DEA registration recorded for this location")
    return found


@router.put(
    "/inventory/registration",
    response=RegistrationOut,
    summary="Record or change the location's DEA registration (admins, prescribers)",
)
def put_registration(request: HttpRequest, payload: RegistrationIn) -> Registration:
    clinic = the_clinic(request_user(request), payload.clinic, Capability.MANAGE_LEDGER)
    return actions.register(
        api_actor(request),
        clinic,
        **payload.model_dump(exclude={"clinic"}),
    )


@router.post(
    "/inventory/counts",
    response={201: CountOut},
    summary="A physical count, reconciled against the ledger (a shortfall opens a loss report)",
)
def post_count(request: HttpRequest, payload: CountIn) -> Status:
    user = request_user(request)
    try:
        clinic = the_clinic(user, payload.clinic, Capability.RECORD_LEDGER)
    except PermissionDenied:  # the owner counts too (STORIES.md, month end)
        clinic = the_clinic(user, payload.clinic, Capability.MANAGE_LEDGER)
    counted = queries.counted_lines(
        clinic.pk,
        [queries.Entered(i.container, i.quantity, i.unit, i.estimated) for i in payload.lines],
    )
    count, outcome, report = actions.record_count(
        api_actor(request),
        clinic,
        kind=payload.kind,
        time_of_day=payload.time_of_day,
        taken_at=payload.taken_at or timezone.now(),
        counted=counted,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": count.pk,
            "kind": count.kind,
            "time_of_day": count.time_of_day,
            "taken_at": count.taken_at,
            "shortfall_mg": outcome.shortfall_mg,
            "review": list(outcome.review),
            "lines": [
                {
                    "container": line.container,
                    "expected_mg": line.expected_mg,
                    "counted_mg": line.counted_mg,
                    "difference_mg": line.difference_mg,
                    "estimated": line.estimated,
                }
                for line in outcome.lines
            ],
            "loss_report": report,
        },
    )


@router.get(
    "/inventory/reconciliation",
    response=ReconciliationOut,
    summary="Balances against the last count, the next biennial inventory, open loss reports",
)
def reconciliation_view(request: HttpRequest, clinic: uuid.UUID | None = None) -> dict[str, Any]:
    clinic_id = one_clinic(request_user(request), clinic, Capability.VIEW_LEDGER)
    last_on = queries.last_inventory_on(clinic_id)
    latest = queries.last_counted(clinic_id)
    rows = []
    for container in queries.containers(clinic_id):
        counted = latest.get(container.pk)
        rows.append(
            {
                "container": str(container.pk),
                "label": container.label,
                "balance_mg": str(container.balance_mg),
                "last_counted_mg": str(counted.counted_mg) if counted else None,
                "last_counted_at": counted.count.taken_at.isoformat() if counted else None,
            }
        )
    return {
        "last_inventory": last_on,
        "biennial_due": rules.biennial_due(last_on),
        "containers": rows,
        "loss_reports": list(queries.open_loss_reports(clinic_id)),
    }


def _report(request: HttpRequest, report_id: uuid.UUID) -> LossReport:
    found = queries.loss_report(report_id)
    user = request_user(request)
    if found is None or found.clinic_id not in clinics_where(user, Capability.VIEW_LEDGER):
        raise Http404("no such loss report")
    if found.clinic_id not in clinics_where(user, Capability.MANAGE_LEDGER):
        raise PermissionDenied("your role does not file loss reports")
    return found


@router.post(
    "/inventory/loss-reports/{report_id}/notice",
    response=LossReportOut,
    summary="Record the written notice to the DEA (due within 1 business day)",
)
def loss_notice(request: HttpRequest, report_id: uuid.UUID, payload: NoticeIn) -> LossReport:
    return actions.record_notice(
        api_actor(request), _report(request, report_id), payload.version, payload.sent_on
    )


@router.post(
    "/inventory/loss-reports/{report_id}/form-106",
    response=LossReportOut,
    summary="Record DEA Form 106 as filed (due within 45 days)",
)
def loss_form_106(request: HttpRequest, report_id: uuid.UUID, payload: Form106In) -> LossReport:
    return actions.record_form_106(
        api_actor(request),
        _report(request, report_id),
        payload.version,
        payload.filed_on,
        payload.reference,
    )


@router.get(
    "/inventory/reports/{name}",
    response=list[dict[str, Any]],
    openapi_extra=files("text/csv", "application/pdf"),
    summary="Ledger reports: dispensing-record, container-history (?container=), "
    "usage-by-patient, usage-by-nurse, waste-by-nurse (?format=csv or pdf to download)",
)
def report(
    request: HttpRequest,
    name: str,
    start: QueryDate,
    end: QueryDate,
    clinic: uuid.UUID | None = None,
    container: uuid.UUID | None = None,
    format: Literal["json", "csv", "pdf"] = "json",
) -> Any:
    if name not in reports.REPORTS:
        raise Http404("no such report")
    reports.check_period(start, end)
    user = request_user(request)
    found = None
    if name == "container-history":
        if container is None:
            raise InvalidInput("container", "name the container")
        found = _container(user, container, Capability.VIEW_LEDGER)
        clinic_id = found.clinic_id
    else:
        clinic_id = one_clinic(user, clinic, Capability.VIEW_LEDGER)
    rows = reports.build(name, clinic_id, start, end, found)
    record_access(
        api_actor(request), action="export", what=f"ledger.report {name}", clinic=clinic_id
    )
    if format == "json":
        return rows
    return reports.respond(
        name,
        rows,
        format,
        clinic=the_clinic(user, clinic_id, None),
        start=start,
        end=end,
        container=found,
    )
