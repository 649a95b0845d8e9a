"""Ms. Chen's journey (STORIES.md): evaluation and consent, an IV induction, an integration note."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.evaluations import actions as evaluation_actions
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent import queries as consent_queries
from ketamine_clinic.evaluations.notes import actions as notes
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment import actions as treatment_actions
from ketamine_clinic.treatment.models import ScheduledSession
from ketamine_clinic.treatment.queries import dosing

MAIN_CLINIC = "Riverside Ketamine Clinic"
OTHER_CLINIC = "Harbor Mood Center"

# Ms. Chen's infusions, in days from the Friday before: Mon, Wed, Fri, Mon, Wed, Fri.
CHEN_DOSE_DAYS = (3, 5, 7, 10, 12, 14)


def chen_course(prescriber: Actor, patient: Patient, start: datetime, vial: Any) -> None:
    """Journey 5's induction as it was recorded, each step on the day it happened: six 0.5
    mg/kg infusions ordered and signed on the Sunday before, an integration session on the
    open day after every second one, each marked done on its day; now moving to weekly
    maintenance."""
    access = PatientAccess(patient, Role.PRESCRIBER)
    params = dosing.DoseParams(
        dose_mg_per_kg=Decimal("0.5"),
        stock_product=vial.pk,
        diluent="sodium_chloride_0_9",
        final_volume_ml=Decimal(50),
        duration_min=Decimal(40),
    )
    with time_machine.travel(start + timedelta(days=2), tick=False):
        course = treatment_actions.order_course(
            prescriber,
            access,
            LIBRARY["iv-racemic-standard"],
            params,
            (start + timedelta(days=CHEN_DOSE_DAYS[0])).date(),
            induction_sessions=len(CHEN_DOSE_DAYS),
            integration_every=2,
        )
        order = course.orders.get()
        treatment_actions.sign_order(prescriber, access, order, order.version)
    for planned in ScheduledSession.objects.filter(course=course).order_by("on", "kind"):
        with time_machine.travel(
            timezone.make_aware(datetime.combine(planned.on, time(17))), tick=False
        ):
            note = "given as ordered" if planned.is_dosing else "with Dr Okafor"
            treatment_actions.mark_session(
                prescriber, access, planned, planned.version, "done", note
            )
    course.refresh_from_db()
    treatment_actions.start_maintenance(prescriber, access, course, course.version)


def chen_note(prescriber: Actor, patient: Patient, now: datetime) -> None:
    """A signed integration note after her last infusion, as her therapist-prescriber wrote it."""
    access = PatientAccess(patient, Role.PRESCRIBER)
    note = notes.write_note(
        prescriber, access, "integration", "Integration after infusion 6",
        "Describes the infusion as calmer than the first ones. Sleeping 7 hours. Wants to "
        "return to part-time work next month; plan to review with her therapist.",
        (now - timedelta(days=2)).date(),
    )  # fmt: skip
    notes.sign_note(prescriber, access, note, note.version)


def chen_evaluation_and_consent(
    prescriber: Actor, nurse: Actor, patient: Patient, start: datetime
) -> None:
    """Journey 1: evaluated "eligible with precautions: blood pressure", signed; IV consent
    signed by Ms. Chen and witnessed by Sam."""
    access = PatientAccess(patient, Role.PRESCRIBER)
    evaluation = evaluation_actions.create_evaluation(
        prescriber,
        access,
        {
            "evaluated_on": (start - timedelta(days=2)).date(),
            "diagnosis": "mdd",
            "product": "iv_racemic",
            "indication": "off_label",
            "episode_months": 20,
            "episode_severity": "severe",
            "systolic_mmhg": 150,
            "diastolic_mmhg": 95,
            "urine_tox": "negative",
            "narrative": "Recurrent MDD, current episode 20 months; three adequate antidepressant "
            "trials and CBT without remission. No psychosis, no substance use. BP 150/95 on two "
            "readings: monitor closely during infusions.",
        },
    )
    evaluation_actions.sign_evaluation(prescriber, access, evaluation, evaluation.version)
    document = consent_queries.current_document(patient.clinic_id, "iv_racemic")
    assert document is not None  # noqa: S101  # published just before
    consent_actions.record_consent(
        nurse,
        PatientAccess(patient, Role.NURSE),
        document,
        patient.full_name,
        signature_typed=patient.full_name,
    )
