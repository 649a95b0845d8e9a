"""Today at the chair, for load and fault tests: `ketamine-clinic synth --today N`.

For N patients of each synthetic clinic this walks the whole path a real patient takes to a
dose, through the app's own actions (not bulk inserts), so every rule and audit row applies:
a signed evaluation, a witnessed consent, an IM ketamine course ordered and signed for today,
the session opened, checked in, the pre-dose PHQ-9, checks and vitals recorded and passed. Each
session then waits for its injection, and the clinic's vault holds enough 500 mg vials for
all of them. The sessions are the ones a load test records vitals on and a fault test doses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import Clinic, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments import actions as assessments
from ketamine_clinic.assessments.catalogue import get_instrument
from ketamine_clinic.clinical.vital_signs import Reading
from ketamine_clinic.common.days import day_start
from ketamine_clinic.evaluations import actions as evaluations
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent import queries as consent_queries
from ketamine_clinic.inventory import actions as ledger
from ketamine_clinic.inventory.models import Container, Product
from ketamine_clinic.patients import actions as patients_actions
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.records import RECORD_KINDS
from ketamine_clinic.treatment import actions as treatment
from ketamine_clinic.treatment.models import ScheduledSession
from ketamine_clinic.treatment.queries import dosing
from ketamine_clinic.treatment.queries.protocols import get_protocol
from ketamine_clinic.treatment_sessions import actions as chair
from ketamine_clinic.treatment_sessions.models import TreatmentSession

PROTOCOL = "im-racemic"
VIAL_MG = Decimal(500)  # ketamine 50 mg/mL, 10 mL
CHECKS = {
    "identity_confirmed": True,
    "ride_home": True,
    "ride_name": "Synthetic driver",
    "pregnancy": "not_applicable",
    "urinary_symptoms": "none",
    "benzodiazepines": False,
    "non_benzodiazepine_sedative_hypnotics": False,
    "psychostimulants": False,
    "maois": False,
    "opioids": False,
}
PRE_DOSE = Reading(128, 82, 72, 98, 14)
PRE_DOSE_PHQ9 = {"1": 2, "2": 2, "3": 2, "4": 2, "5": 2, "6": 2, "7": 1, "8": 1, "9": 0}


@dataclass(frozen=True)
class Staff:
    prescriber: User
    nurse: User
    front_desk: User
    admin: User


def prepare(clinic: Clinic, staff: Staff, patients: list[Patient]) -> list[TreatmentSession]:
    """Bring each patient to the chair today, ready for the injection; stock the vault."""
    prescriber, nurse = Actor(user=staff.prescriber, via="cli"), Actor(user=staff.nurse, via="cli")
    desk = Actor(user=staff.front_desk, via="cli")
    if not clinic.open_weekdays or len(clinic.open_weekdays) < 7:
        clinic.open_weekdays = list(range(7))  # today is a treatment day, whatever day it is
        clinic.save(update_fields=["open_weekdays"])
    protocol = get_protocol(PROTOCOL, clinic.pk)
    document = consent_queries.current_document(
        clinic.pk, protocol.product
    ) or consent_actions.publish_document(
        prescriber, clinic, protocol.product, "IM ketamine consent", "Synthetic consent text."
    )
    today, earlier = timezone.localdate(), timezone.now() - timedelta(hours=3)
    # The pre-dose PHQ-9 is today's, even in the first minutes after midnight.
    answered = max(timezone.now() - timedelta(minutes=20), day_start(today))
    phq9 = get_instrument(clinic.pk, "phq9")
    vial = _product(clinic, staff.admin)
    sessions, total_mg = [], Decimal(0)
    for patient in patients:
        as_prescriber = PatientAccess(patient, Role.PRESCRIBER)
        evaluation = evaluations.create_evaluation(prescriber, as_prescriber, {
            "evaluated_on": today, "diagnosis": "mdd", "product": protocol.product,
            "indication": "off_label", "episode_months": 12, "episode_severity": "moderate",
            "systolic_mmhg": 124, "diastolic_mmhg": 80})  # fmt: skip
        evaluations.sign_evaluation(prescriber, as_prescriber, evaluation, evaluation.version)
        consent_actions.record_consent(
            nurse, PatientAccess(patient, Role.NURSE), document, patient.full_name,
            signature_typed=patient.full_name,
        )  # fmt: skip
        weight = dosing.latest_weight(patient)[0] or Decimal(70)
        patients_actions.add_record(nurse, PatientAccess(patient, Role.NURSE),
            RECORD_KINDS["measurements"],
            {"kind": "weight_kg", "value": weight, "measured_at": earlier})  # fmt: skip
        course = treatment.order_course(
            prescriber, as_prescriber, protocol,
            dosing.DoseParams(dose_mg_per_kg=Decimal("0.5"), stock_product=vial.pk), today,
        )  # fmt: skip
        order = course.orders.get()
        treatment.sign_order(prescriber, as_prescriber, order, order.version)
        scheduled = ScheduledSession.objects.get(course=course, on=today)
        at_desk = PatientAccess(patient, Role.FRONT_DESK)
        session = chair.open_session(desk, at_desk, scheduled)
        session = chair.check_in(desk, at_desk, session, session.version)
        as_nurse = PatientAccess(patient, Role.NURSE)
        assessments.record_assessment(
            nurse, as_nurse, phq9, PRE_DOSE_PHQ9, answered, "pre_dose",
        )  # fmt: skip
        pregnancy = "not_pregnant" if patient.sex == "female" else "not_applicable"
        checks = {**CHECKS, "last_food_at": earlier, "last_liquid_at": earlier,
                  "pregnancy": pregnancy}  # fmt: skip
        chair.record_checks(nurse, as_nurse, session, session.version, checks)
        session.refresh_from_db()
        chair.record_vitals(nurse, as_nurse, session, session.version, PRE_DOSE)
        session.refresh_from_db()
        sessions.append(chair.pass_checks(nurse, as_nurse, session, session.version))
        total_mg += Decimal(str(order.calculation["dose_mg"]))
    _stock(clinic, staff.admin, vial, total_mg)
    return sessions


def _product(clinic: Clinic, admin: User) -> Product:
    """The 50 mg/mL vial the injections are drawn from (the orders name it)."""
    return Product.objects.filter(
        clinic=clinic, substance="ketamine", container_mg=VIAL_MG
    ).first() or ledger.add_product(Actor(user=admin, via="cli"), clinic, {
        "name": "Ketamine HCl 50 mg/mL", "ndc": "0409-2051-05", "substance": "ketamine",
        "form": "vial, 10 mL", "concentration_mg_per_ml": Decimal(50),
        "container_mg": VIAL_MG})  # fmt: skip


def _stock(clinic: Clinic, admin: User, product: Product, needed_mg: Decimal) -> list[Container]:
    """Enough 500 mg vials for every injection today, with one to spare."""
    actor = Actor(user=admin, via="cli")
    now = timezone.now()
    return ledger.receive(actor, "admin", clinic, ledger.Receipt(
        product=product, count=int(needed_mg // VIAL_MG) + 2, lot=f"SYT{now:%y%m%d}",
        expires_on=(now + timedelta(days=365)).date(), received_at=now - timedelta(hours=4),
        supplier_name="Synthetic Distributor", supplier_address="1 Warehouse Road, Columbus OH",
        supplier_dea="RC1234563", invoice=f"SYT-{now:%Y%m%d}"))  # fmt: skip
