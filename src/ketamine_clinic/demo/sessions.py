"""Demo: an esketamine session from two days ago, as the chair recorded it (STORIES.md,
journey 3), discharged but not yet signed, so its REMS form shows as due on the dashboard."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.clinical.ledger import Movement
from ketamine_clinic.clinical.measurements import age_on
from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.inventory import actions, queries
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.actions import snapshot_json
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession
from ketamine_clinic.treatment.queries import dosing
from ketamine_clinic.treatment_sessions.models import (
    Administration,
    AdverseEvent,
    Observation,
    PreDoseCheck,
    Transition,
    TreatmentSession,
    VitalSigns,
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
    start = timezone.localtime(now - timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    day = start.date()
    consent_actions.enrol_rems(
        prescriber, PatientAccess(patient, Role.PRESCRIBER), day, "REMS-DEMO-0417", True
    )
    protocol = LIBRARY["esketamine-trd-us"]
    calculation = dosing.calculate(
        protocol,
        dosing.DoseParams(dose_mg=56),
        dosing.PatientFacts(
            weight=None, measured_on=None, age_years=age_on(patient.birth_date, day)
        ),
        patient.clinic_id,
        day,
    )
    signed = start - timedelta(days=1)
    course = Course.objects.create(
        patient=patient,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        product=protocol.product,
        state=Course.State.ACTIVE,
        phase=protocol.phases[0].name,
        start_on=day,
        created_by=prescriber.user,
        created_at=signed,
    )
    order = DoseOrder.objects.create(
        patient=patient,
        course=course,
        dose_mg=56,
        calculation=snapshot_json(dosing.calculation_json(calculation)),
        signed_at=signed,
        signed_by=prescriber.user,
        created_by=prescriber.user,
        created_at=signed,
    )
    scheduled = ScheduledSession.objects.create(
        patient=patient,
        course=course,
        on=day,
        phase=protocol.phases[0].name,
        state=ScheduledSession.State.DONE,
        note="treatment session discharged",
        created_by=prescriber.user,
    )

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    session = TreatmentSession.objects.create(
        patient=patient,
        course=course,
        scheduled=scheduled,
        order=order,
        product=protocol.product,
        route="intranasal",
        on=day,
        state="discharged",
        checked_in_at=at(-30),
        checks_passed_at=at(-5),
        dosing_started_at=at(0),
        monitoring_started_at=at(5),
        ready_at=at(122),
        discharged_at=at(125),
        responsible_adult="Partner (Lee Kim)",
        ready_without_rule_min=70,
        created_by=nurse.user,
    )
    steps = [
        ("scheduled", "checked_in", -30),
        ("checked_in", "checks_passed", -5),
        ("checks_passed", "dosing", 0),
        ("dosing", "monitoring", 5),
        ("monitoring", "ready_for_discharge", 122),
        ("ready_for_discharge", "discharged", 125),
    ]
    for before, after, minute in steps:
        Transition.objects.create(
            session=session, from_state=before, to_state=after, at=at(minute), by=nurse.user
        )
    common = {"session": session, "recorded_by": nurse.user}
    PreDoseCheck.objects.create(
        **common,
        at=at(-20),
        identity_confirmed=True,
        last_food_at=at(-240),
        last_liquid_at=at(-60),
        ride_home=True,
        ride_name="Lee Kim",
        pregnancy=PreDoseCheck.Pregnancy.NOT_APPLICABLE,
        urinary_symptoms="none",
        benzodiazepines=False,
        non_benzodiazepine_sedative_hypnotics=False,
        psychostimulants=False,
        maois=False,
        opioids=False,
    )
    for minute, timing, bp in (
        (-15, VitalSigns.Timing.PRE_DOSE, (132, 84)),
        (41, VitalSigns.Timing.MONITORING, (141, 88)),
        (90, VitalSigns.Timing.MONITORING, (128, 82)),
        (120, VitalSigns.Timing.PRE_DISCHARGE, (124, 80)),
    ):
        VitalSigns.objects.create(
            **common,
            at=at(minute),
            timing=timing,
            systolic_mmhg=bp[0],
            diastolic_mmhg=bp[1],
            heart_rate_bpm=76,
            spo2_pct=98,
            respiratory_rate_per_min=14,
        )
    for number in (1, 2):
        dose = Administration.objects.create(
            **common,
            at=at(5 * (number - 1)),
            action=Administration.Action.DEVICE,
            device_number=number,
            container=kit,
            lot=kit.lot,
            given_mg=Decimal(28),
        )
        ledger.move(
            nurse,
            "nurse",
            kit,
            Movement(
                kind="administer",
                quantity_mg=Decimal(28),
                performer=str(nurse.user.pk),
                performer_role="nurse",
                event_on=day,
                expires_on=kit.expires_on,
            ),
            event_at=dose.at,
            entered="28 mg",
            links={"patient": patient, "session": session, "order": order, "administration": dose},
        )
    Observation.objects.create(**common, at=at(25), scale="cadss", score=14)
    Observation.objects.create(**common, at=at(25), scale="moaas", score=4)
    Observation.objects.create(**common, at=at(110), scale="moaas", score=5)
    felt = AdverseEvent.objects.create(
        **common, at=at(20), kind="dissociation", severity="mild", action_taken="reassured"
    )
    AdverseEvent.objects.create(
        **common,
        at=at(20),
        kind="dissociation",
        severity="mild",
        action_taken="reassured",
        resolved_at=at(75),
        corrects=felt,
        correction_reason="resolved",
    )
    return session
