"""The controlled-substance ledger at the chair: the container each dose is drawn from, the
dose booked out of it, and what was drawn and not given wasted before a witness."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.clinical.ledger import Movement
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.patients.access import PatientAccess, record_patient_access
from ketamine_clinic.treatment_sessions import facts
from ketamine_clinic.treatment_sessions.actions.core import bump, need
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    TreatmentSession,
)

CENTI = Decimal("0.01")  # amounts in mg to two places, as the ledger books them
# The doses that take drug out of a container: the chair names the container for each.
DRAWS = frozenset(
    {
        Administration.Action.DEVICE,
        Administration.Action.IV_START,
        Administration.Action.IM_INJECTION,
        Administration.Action.ORAL,
    }
)


def container_fields(session: TreatmentSession, container: Container | None) -> dict[str, Any]:
    """The container a dose is drawn from: this clinic's, of the ordered substance."""
    if container is None:
        raise InvalidInput("container", "choose the container the dose is drawn from")
    substance = facts.SUBSTANCE.get(session.product, "ketamine")
    if container.clinic_id != session.patient.clinic_id:
        raise InvalidInput("container", "no such container in this clinic")
    if container.product.substance != substance:
        raise InvalidInput("container", f"this container is not {substance}")
    ordered = session.order.concentration_mg_per_ml
    found = container.product.concentration_mg_per_ml
    if ordered is not None and found is not None and found != ordered:
        raise InvalidInput(
            "container",
            f"this vial is {found.normalize():f} mg/mL but the order was calculated for "
            f"{ordered.normalize():f} mg/mL: draw from the ordered product, or a prescriber "
            "writes a new order",
        )
    return {"container": container, "lot": container.lot}


def book_dose(
    actor: Actor, access: PatientAccess, session: TreatmentSession, entry: Administration
) -> None:
    """The ledger's administer transaction for a dose given, in the dose's own transaction:
    neither exists without the other."""
    if entry.given_mg is None or entry.container is None:
        return  # an infusion's start, pause or rate: booked at the stop
    container = entry.container
    ledger.move(
        actor,
        str(access.role),
        container,
        Movement(
            kind="administer",
            quantity_mg=entry.given_mg,
            performer=str(actor.user.pk),
            performer_role=str(access.role),
            event_on=timezone.localtime(entry.at).date(),
            expires_on=container.expires_on,
        ),
        event_at=entry.at,
        entered=f"{entry.given_mg} mg",
        links={
            "patient": session.patient,
            "session": session,
            "order": session.order,
            "administration": entry,
        },
    )


def witness_waste(
    actor: Actor,
    access: PatientAccess,
    session: TreatmentSession,
    version: int,
    witness: User,
    witness_role: str | None,
) -> Any:
    """The left-over drug wasted before a second licensed person, booked in the ledger."""
    need(access, Capability.RECORD_LEDGER, "waste controlled substances")
    pending = facts.waste_pending_mg(session)
    if pending <= 0:
        raise Conflict("nothing is waiting to be wasted")
    source = (
        facts.current(Administration, session)
        .filter(waste_mg__gt=0, container__isnull=False)
        .last()
    )
    if source is None or source.container is None:
        raise Conflict("the left-over dose has no container to book it against")
    with transaction.atomic():
        bump(session, version)
        row = ledger.move(
            actor,
            str(access.role),
            source.container,
            Movement(
                kind="waste",
                quantity_mg=pending,
                performer=str(actor.user.pk),
                performer_role=str(access.role),
                event_on=timezone.localdate(),
                expires_on=source.container.expires_on,
                witness=str(witness.pk),
                witness_role=witness_role,
            ),
            event_at=timezone.now(),
            entered=f"{pending} mg",
            witness=witness,
            links={"patient": session.patient, "session": session, "order": session.order},
        )
        record_patient_access(actor, access, "create", "treatment_session.waste")
    return row
