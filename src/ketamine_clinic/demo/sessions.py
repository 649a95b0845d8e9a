"""Demo: the vault stocked and counted, and an esketamine session from two days ago as the
chair recorded it (STORIES.md, journey 3), discharged but not yet signed, so its REMS form
shows as due on the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments import actions as assessment_actions
from ketamine_clinic.assessments.catalogue import get_instrument
from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.clinical.vital_signs import Reading
from ketamine_clinic.demo.histories import add
from ketamine_clinic.demo.synth_chair import CHECKS as CHAIR_CHECKS
from ketamine_clinic.demo.synth_chair import PRE_DOSE_PHQ9
from ketamine_clinic.evaluations import actions as evaluation_actions
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent import queries as consent_queries
from ketamine_clinic.inventory import actions, queries
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment import actions as treatment_actions
from ketamine_clinic.treatment.models import ScheduledSession
from ketamine_clinic.treatment.queries import dosing
from ketamine_clinic.treatment_sessions.actions import doses
from ketamine_clinic.treatment_sessions.actions import session as sessions
from ketamine_clinic.treatment_sessions.models import (
    TreatmentSession,
)

LOT = "24K118"


def stock_vault(admin: Actor, clinic: Any, now: datetime) -> dict[str, Container]:
    """The demo clinic's registration and stock: esketamine kits and ketamine vials from one
    supplier, counted in an initial inventory the morning they arrived."""
    received = now - timedelta(days=10)
    ledger.register(admin, clinic, dea_number="BS1234563", name=clinic.name, address=clinic.address)
    first: dict[str, Container] = {}
    stocked: list[Container] = []
    for substance, ndc, name, form, concentration, content, lot, count in (
        ("esketamine", "50458-028-02", "Spravato 56 mg kit", "2 nasal devices", None, 56, LOT, 4),
        ("ketamine", "0409-2051-05", "Ketamine HCl 50 mg/mL", "vial, 10 mL", 50, 500, "KX2291", 5),
    ):
        product = ledger.add_product(
            admin,
            clinic,
            {
                "name": name,
                "ndc": ndc,
                "substance": substance,
                "form": form,
                "concentration_mg_per_ml": Decimal(concentration) if concentration else None,
                "container_mg": Decimal(content),
            },
        )
        containers = ledger.receive(
            admin,
            "admin",
            clinic,
            ledger.Receipt(
                product=product,
                count=count,
                lot=lot,
                expires_on=(now + timedelta(days=400)).date(),
                received_at=received,
                supplier_name="Cardinal Health (demo)",
                supplier_address="7000 Cardinal Place, Dublin OH 43017",
                supplier_dea="RC1234563",
                invoice="INV-2026-1104",
            ),
        )
        first[substance] = containers[0]
        stocked += containers
    actions.record_count(
        admin,
        clinic,
        kind="initial",
        time_of_day="opening",
        taken_at=received + timedelta(minutes=30),
        counted=[queries.Counted(c, c.product.container_mg, False) for c in stocked],
        note="Initial inventory of the first delivery",
    )
    return first


def seed_esketamine_session(
    prescriber: Actor, nurse: Actor, patient: Patient, now: datetime, kit: Container
) -> TreatmentSession:
    """Journey 3 as staff record it, on a clock moved back to each moment: the evaluation,
    consent and REMS enrolment, the course ordered and signed the day before, then at the
    chair two devices five minutes apart, the two-hour watch and discharge. Every record is
    made by the same actions a screen calls, with their checks and audit rows."""
    start = timezone.localtime(now - timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    day = start.date()
    as_prescriber = PatientAccess(patient, Role.PRESCRIBER)
    as_nurse = PatientAccess(patient, Role.NURSE)

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    with time_machine.travel(start - timedelta(days=3), tick=False):
        for drug, dose, began in (("Sertraline", 150, 900), ("Venlafaxine XR", 225, 600)):
            add(
                prescriber,
                patient,
                "treatment-history",
                kind="antidepressant",
                name=drug,
                dose_mg_per_day=Decimal(dose),
                duration_weeks=Decimal(8),
                adequate=True,
                outcome="no_response",
                started_on=day - timedelta(days=began),
                ended_on=day - timedelta(days=began - 56),
            )
        evaluation = evaluation_actions.create_evaluation(
            prescriber,
            as_prescriber,
            {
                "evaluated_on": timezone.localdate(),
                "diagnosis": "mdd",
                "product": "esketamine_nasal",
                "indication": "trd",
                "episode_months": 14,
                "episode_severity": "moderate",
                "systolic_mmhg": 128,
                "diastolic_mmhg": 80,
                "urine_tox": "negative",
                "narrative": "Recurrent MDD; two adequate antidepressant trials without response. "
                "No psychosis, no substance use. Blood pressure normal.",
            },
        )
        evaluation_actions.sign_evaluation(prescriber, as_prescriber, evaluation, 1)
        document = consent_queries.current_document(patient.clinic_id, "esketamine_nasal")
        assert document is not None  # noqa: S101  # the seed publishes one per product first
        consent_actions.record_consent(
            nurse, as_nurse, document, patient.full_name, signature_typed=patient.full_name
        )
        consent_actions.enrol_rems(prescriber, as_prescriber, day, "REMS-DEMO-0417", True)
    with time_machine.travel(start - timedelta(days=1), tick=False):
        course = treatment_actions.order_course(
            prescriber,
            as_prescriber,
            LIBRARY["esketamine-trd-us"],
            dosing.DoseParams(dose_mg=56),
            day,
            induction_sessions=1,
        )
        order = course.orders.get()
        treatment_actions.sign_order(prescriber, as_prescriber, order, order.version)
    scheduled = ScheduledSession.objects.get(course=course, on=day)
    session: Any = None

    def chair(minute: int, write: Callable[[TreatmentSession], Any]) -> Any:
        """One step at the chair at its minute, on the session as it now stands; returns what
        the step made."""
        with time_machine.travel(at(minute), tick=False):
            if session is not None:
                session.refresh_from_db()
            done = write(session)
        return done

    session = chair(-30, lambda _: sessions.open_session(nurse, as_nurse, scheduled))
    session = chair(-30, lambda s: sessions.check_in(nurse, as_nurse, s, s.version))
    phq9 = get_instrument(patient.clinic_id, "phq9")
    chair(
        -25,
        lambda _: assessment_actions.record_assessment(
            nurse, as_nurse, phq9, PRE_DOSE_PHQ9, at(-25), "pre_dose"
        ),
    )
    chair(
        -20,
        lambda s: sessions.record_checks(
            nurse,
            as_nurse,
            s,
            s.version,
            {
                **CHAIR_CHECKS,
                "last_food_at": at(-240),
                "last_liquid_at": at(-60),
                "ride_name": "Lee Kim",
                "pregnancy": "not_applicable",
                "urinary_symptoms": "none",
            },
        ),
    )
    chair(-15, lambda s: sessions.record_vitals(nurse, as_nurse, s, s.version, vitals(132, 84)))
    chair(-5, lambda s: sessions.pass_checks(nurse, as_nurse, s, s.version))
    for minute in (0, 5):
        chair(
            minute,
            lambda s: doses.administer(nurse, as_nurse, s, s.version, "device", {"container": kit}),
        )
    felt = chair(
        20,
        lambda s: sessions.record_adverse_event(
            nurse,
            as_nurse,
            s,
            s.version,
            {"kind": "dissociation", "severity": "mild", "action_taken": "reassured"},
        ),
    )
    chair(25, lambda s: sessions.record_observation(nurse, as_nurse, s, s.version, "cadss", 14))
    chair(25, lambda s: sessions.record_observation(nurse, as_nurse, s, s.version, "moaas", 4))
    chair(41, lambda s: sessions.record_vitals(nurse, as_nurse, s, s.version, vitals(141, 88)))
    chair(
        75,
        lambda s: sessions.record_adverse_event(
            nurse,
            as_nurse,
            s,
            s.version,
            {
                "kind": "dissociation",
                "severity": "mild",
                "action_taken": "reassured",
                "resolved_at": at(75),
            },
            at=at(20),
            corrects=felt,
            correction_reason="resolved",
        ),
    )
    chair(90, lambda s: sessions.record_vitals(nurse, as_nurse, s, s.version, vitals(128, 82)))
    chair(110, lambda s: sessions.record_observation(nurse, as_nurse, s, s.version, "moaas", 5))
    chair(120, lambda s: sessions.record_vitals(nurse, as_nurse, s, s.version, vitals(124, 80)))
    chair(
        122,
        lambda s: sessions.mark_ready(
            nurse, as_nurse, s, s.version, "Partner (Lee Kim)", ready_without_rule_min=70
        ),
    )
    chair(125, lambda s: sessions.discharge(nurse, as_nurse, s, s.version))
    session.refresh_from_db()
    return session


def vitals(systolic: int, diastolic: int) -> Reading:
    return Reading(systolic, diastolic, 76, 98, 14)
