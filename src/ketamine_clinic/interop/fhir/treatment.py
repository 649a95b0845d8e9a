"""FHIR resources of the treatment: sessions as encounters, orders and doses, adverse events,
consents and courses as care plans."""

from __future__ import annotations

from html import escape
from typing import Any

from ketamine_clinic.evaluations.consent.models import Consent
from ketamine_clinic.interop.fhir import codes
from ketamine_clinic.interop.fhir.resources import (
    Resource,
    coding,
    instant,
    quantity,
    ref,
    validated,
)
from ketamine_clinic.inventory.models import Product
from ketamine_clinic.treatment.models import Course, DoseOrder
from ketamine_clinic.treatment.queries.protocols import names as protocol_names
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    TreatmentSession,
)

ENCOUNTER_STATUS = {
    "scheduled": "planned",
    "checked_in": "arrived",
    "checks_passed": "in-progress",
    "dosing": "in-progress",
    "monitoring": "in-progress",
    "ready_for_discharge": "in-progress",
    "discharged": "finished",
    "aborted": "cancelled",
}


def encounter(session: TreatmentSession) -> Resource:
    status = (
        "entered-in-error" if session.in_error else ENCOUNTER_STATUS.get(session.state, "unknown")
    )
    start = session.checked_in_at or session.dosing_started_at
    end = session.discharged_at or session.aborted_at
    period = {k: instant(v) for k, v in (("start", start), ("end", end)) if v is not None}
    return validated(
        {
            "resourceType": "Encounter",
            "id": str(session.pk),
            "status": status,
            "class": coding(codes.ACT_CODE, "AMB", "ambulatory"),
            "type": [
                {
                    "coding": [coding(codes.LOCAL_PRODUCT, session.product)],
                    "text": f"{session.product.replace('_', ' ')} treatment session",
                }
            ],
            "subject": ref("Patient", session.patient_id),
            **({"period": period} if period else {}),
            "basedOn": [ref("MedicationRequest", session.order_id)],
            "serviceProvider": ref("Organization", session.patient.clinic_id),
        }
    )


def _medication(product: str, stock: Product | None = None) -> dict[str, Any]:
    """The medicine in RxNorm beside our own code: the stock product's own RxCUI (its strength
    and form, entered with the product) where the clinic gave one, else the product's
    concept where it is certain (codes.RXNORM_PRODUCTS)."""
    name = "esketamine" if product.startswith("esketamine") else "ketamine (racemic)"
    rxnorm = (
        (stock.rxnorm,)
        if stock is not None and stock.rxnorm
        else codes.RXNORM_PRODUCTS.get(product)
    )
    return {
        "coding": [
            *([coding(codes.RXNORM, *rxnorm)] if rxnorm else []),
            coding(codes.LOCAL_PRODUCT, product),
        ],
        "text": name,
    }


def medication_request(order: DoseOrder) -> Resource:
    calc = order.calculation or {}
    status = "entered-in-error" if order.in_error else ("active" if order.is_signed else "draft")
    dose = calc.get("dose_mg")
    return validated(
        {
            "resourceType": "MedicationRequest",
            "id": str(order.pk),
            "status": status,
            "intent": "order",
            "medicationCodeableConcept": _medication(order.course.product, order.stock_product),
            "subject": ref("Patient", order.patient_id),
            "authoredOn": instant(order.signed_at or order.created_at),
            # Who signed it; a draft's, who wrote it (US Core requires a requester).
            "requester": ref("Practitioner", order.signed_by_id or order.created_by_id),
            "basedOn": [ref("CarePlan", order.course_id)],
            **(
                {
                    "dosageInstruction": [
                        {
                            "text": f"{dose} mg"
                            + (
                                f" over {calc['duration_min']} min"
                                if calc.get("duration_min")
                                else ""
                            ),
                            "doseAndRate": [{"doseQuantity": quantity(dose, "mg")}],
                        }
                    ]
                }
                if dose is not None
                else {}
            ),
        }
    )


def medication_administration(
    a: Administration, session: TreatmentSession, current: bool
) -> Resource | None:
    """A dose given: devices, infusion stop (the total given) and injections; starts,
    pauses and rate changes are steps of the same infusion, not doses."""
    if a.given_mg is None:
        return None
    route = codes.ROUTES.get(session.route)
    return validated(
        {
            "resourceType": "MedicationAdministration",
            "id": str(a.pk),
            "status": "completed" if current else "entered-in-error",
            "medicationCodeableConcept": _medication(
                session.product, a.container.product if a.container else None
            ),
            "subject": ref("Patient", session.patient_id),
            "context": ref("Encounter", session.pk),
            "effectiveDateTime": instant(a.at),
            "performer": [{"actor": ref("Practitioner", a.recorded_by_id)}],
            "request": ref("MedicationRequest", session.order_id),
            "dosage": {
                **(
                    {"route": {"coding": [coding(codes.ROUTE, route[0], route[1])]}}
                    if route
                    else {}
                ),
                "dose": quantity(a.given_mg, "mg"),
            },
            **({"note": [{"text": f"Lot {a.lot}"}]} if a.lot else {}),
        }
    )


def adverse_event(e: AdverseEvent, session: TreatmentSession, current: bool) -> Resource:
    return validated(
        {
            "resourceType": "AdverseEvent",
            "id": str(e.pk),
            "actuality": "actual",
            "event": {
                "coding": [coding(codes.LOCAL_ADVERSE_EVENT, e.kind, e.get_kind_display())],
                "text": e.get_kind_display(),
            },
            "subject": ref("Patient", session.patient_id),
            "encounter": ref("Encounter", session.pk),
            "date": instant(e.at),
            "recorder": ref("Practitioner", e.recorded_by_id),
            "seriousness": {"text": "serious" if e.serious else "non-serious"},
            "severity": {
                "coding": [
                    coding(
                        "http://terminology.hl7.org/CodeSystem/adverse-event-severity", e.severity
                    )
                ]
            },
            "outcome": {
                "coding": [
                    coding(
                        "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                        "resolved" if e.resolved_at else "ongoing",
                    )
                ]
            },
            "suspectEntity": [{"instance": ref("Encounter", session.pk)}],
            **({} if current else {"extension": [_in_error_flag()]}),
        }
    )


def _in_error_flag() -> dict[str, Any]:
    """AdverseEvent has no status element in R4: an entry corrected at the chair carries our
    entered-in-error flag instead."""
    return {"url": f"{codes.LOCAL}:entered-in-error", "valueBoolean": True}


def consent(c: Consent) -> Resource:
    status = "entered-in-error" if c.in_error else ("inactive" if c.withdrawn_at else "active")
    return validated(
        {
            "resourceType": "Consent",
            "id": str(c.pk),
            "status": status,
            "scope": {"coding": [coding(codes.CONSENT_SCOPE, "treatment")]},
            "category": [{"coding": [coding(codes.LOINC, "59284-0", "Consent Document")]}],
            "patient": ref("Patient", c.patient_id),
            "dateTime": instant(c.patient_signed_at),
            "performer": [ref("Patient", c.patient_id)],
            "organization": [ref("Organization", c.patient.clinic_id)],
            "sourceAttachment": {"title": f"{c.document.title} (version {c.document.version})"},
            "provision": {
                "type": "permit",
                "code": [{"coding": [coding(codes.LOCAL_PRODUCT, c.product)]}],
            },
        }
    )


CAREPLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "stopped": "revoked",
    "completed": "completed",
}


def care_plan(course: Course) -> Resource:
    status = "entered-in-error" if course.in_error else CAREPLAN_STATUS.get(course.state, "unknown")
    protocol = protocol_names(course.patient.clinic_id).get(course.protocol_id, course.protocol_id)
    title = f"{protocol} (version {course.protocol_version}), phase {course.phase}"
    return validated(
        {
            "resourceType": "CarePlan",
            "id": str(course.pk),
            "status": status,
            "intent": "plan",
            "text": {
                "status": "generated",
                "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{escape(title)}</div>',
            },
            "category": [{"coding": [coding(codes.CAREPLAN_CATEGORY, "assess-plan")]}],
            "title": title,
            "subject": ref("Patient", course.patient_id),
            "period": {"start": course.start_on.isoformat()},
            "created": instant(course.created_at),
            "activity": [
                {"reference": ref("MedicationRequest", o.pk)} for o in course.orders.all()
            ],
        }
    )
