"""Demo patients registered at the front desk, with the histories a prescriber records:
measurements, diagnoses, medicines and past antidepressant trials."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import Clinic
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.patients import actions
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.records import RECORD_KINDS

MAIN_CLINIC = "Riverside Ketamine Clinic"
OTHER_CLINIC = "Harbor Mood Center"


def register(
    actor: Actor, clinic: Clinic, given: str, family: str, birth: date, sex: str, kg: int, cm: int
) -> Patient:
    return actions.register_patient(
        actor,
        clinic,
        {
            "given_name": given,
            "family_name": family,
            "birth_date": birth,
            "sex": sex,
            "weight_kg": Decimal(kg),
            "height_cm": Decimal(cm),
            "phone": f"+1 555 01{sum(map(ord, family)) % 100:02d}",
            "emergency_contact_name": "Family member",
            "emergency_contact_phone": "+1 555 0199",
            "emergency_contact_relationship": "spouse" if kg % 2 else "sibling",
        },
    )


# (drug, usual adequate daily dose in mg): doses at or above the minimum therapeutic doses
# listed in the MGH-ATRQ, used only to make realistic-looking demo histories.
ANTIDEPRESSANTS = [
    ("Sertraline", 150),
    ("Escitalopram", 20),
    ("Fluoxetine", 40),
    ("Venlafaxine XR", 225),
    ("Bupropion XL", 300),
    ("Duloxetine", 60),
    ("Mirtazapine", 30),
    ("Vortioxetine", 20),
    ("Paroxetine", 40),
    ("Nortriptyline", 100),
]
AUGMENTATIONS = [("Aripiprazole", 5), ("Lithium carbonate", 900), ("Quetiapine XR", 150)]
DIAGNOSES = [
    ("F33.2", "Major depressive disorder, recurrent, severe without psychotic features"),
    ("F32.2", "Major depressive disorder, single episode, severe without psychotic features"),
    ("F33.1", "Major depressive disorder, recurrent, moderate"),
    ("F31.4", "Bipolar disorder, current episode depressed, severe, without psychotic features"),
]
COMORBID = [
    ("F41.1", "Generalized anxiety disorder"),
    ("F43.10", "Post-traumatic stress disorder, unspecified"),
    ("I10", "Essential (primary) hypertension"),
]


def add(actor: Actor, patient: Patient, segment: str, **data: Any) -> None:
    access = PatientAccess(patient, actor.user.role_in(patient.clinic_id) or Role.PRESCRIBER)
    actions.add_record(actor, access, RECORD_KINDS[segment], data)


def chen_history(actor: Actor, patient: Patient, now: datetime) -> None:
    """Ms. Chen of STORIES.md: three failed antidepressants and one course of psychotherapy."""
    start = now.date() - timedelta(days=600)
    add(
        actor,
        patient,
        "diagnoses",
        icd10_code="F33.2",
        text=DIAGNOSES[0][1],
        is_primary=True,
        onset_on=start,
    )
    for n, (drug, dose, outcome) in enumerate(
        [
            ("Sertraline", 150, "no_response"),
            ("Venlafaxine XR", 225, "partial"),
            ("Bupropion XL", 300, "no_response"),
        ]
    ):
        begun = start + timedelta(days=30 + 120 * n)
        add(
            actor,
            patient,
            "treatment-history",
            kind="antidepressant",
            name=drug,
            dose_mg_per_day=Decimal(dose),
            duration_weeks=Decimal(10),
            adequate=True,
            outcome=outcome,
            started_on=begun,
            ended_on=begun + timedelta(weeks=10),
        )
    add(
        actor,
        patient,
        "treatment-history",
        kind="psychotherapy",
        name="CBT",
        sessions=16,
        duration_weeks=Decimal(16),
        adequate=True,
        outcome="partial",
        started_on=start + timedelta(days=60),
        ended_on=start + timedelta(days=172),
    )
    add(
        actor,
        patient,
        "medications",
        name="Escitalopram",
        dose="20 mg once daily",
        indication="depression",
        started_on=now.date() - timedelta(days=90),
    )
    add(actor, patient, "allergies", substance="Penicillin", reaction="hives", severity="moderate")


def random_history(actor: Actor, patient: Patient, rng: random.Random, now: datetime) -> None:
    code, text = DIAGNOSES[rng.randrange(len(DIAGNOSES))]
    onset = now.date() - timedelta(days=rng.randrange(200, 1500))
    add(actor, patient, "diagnoses", icd10_code=code, text=text, is_primary=True, onset_on=onset)
    if rng.random() < 0.4:
        code, text = COMORBID[rng.randrange(len(COMORBID))]
        add(actor, patient, "diagnoses", icd10_code=code, text=text)
    trials = rng.sample(ANTIDEPRESSANTS, rng.randrange(1, 6))
    day = onset + timedelta(days=14)
    for drug, dose in trials:
        weeks = rng.choice([3, 4, 6, 8, 10, 12])
        intolerant = rng.random() < 0.2
        add(
            actor,
            patient,
            "treatment-history",
            kind="antidepressant",
            name=drug,
            dose_mg_per_day=Decimal(dose),
            duration_weeks=Decimal(weeks),
            adequate=weeks >= 6 and not intolerant,
            outcome="intolerance" if intolerant else rng.choice(["no_response", "partial"]),
            started_on=day,
            ended_on=day + timedelta(weeks=weeks),
        )
        day += timedelta(weeks=weeks + 2)
    if rng.random() < 0.4:
        drug, dose = rng.choice(AUGMENTATIONS)
        add(
            actor,
            patient,
            "treatment-history",
            kind="augmentation",
            name=drug,
            dose_mg_per_day=Decimal(dose),
            duration_weeks=Decimal(8),
            adequate=True,
            outcome="no_response",
        )
    if rng.random() < 0.6:
        add(
            actor,
            patient,
            "treatment-history",
            kind="psychotherapy",
            name=rng.choice(["CBT", "Behavioural activation", "IPT"]),
            sessions=rng.randrange(8, 21),
            outcome="partial",
        )
    if rng.random() < 0.15:
        add(
            actor,
            patient,
            "treatment-history",
            kind="ect",
            name="Right unilateral ECT",
            sessions=8,
            outcome="partial",
            adequate=True,
        )
    elif rng.random() < 0.15:
        add(
            actor,
            patient,
            "treatment-history",
            kind="tms",
            name="rTMS left DLPFC",
            sessions=30,
            outcome="no_response",
            adequate=True,
        )
    drug, dose = trials[-1]
    add(actor, patient, "medications", name=drug, dose=f"{dose} mg daily", indication="depression")
    if rng.random() < 0.3:
        add(
            actor,
            patient,
            "allergies",
            substance=rng.choice(["Penicillin", "Sulfonamides", "Latex"]),
            severity=rng.choice(["mild", "moderate"]),
        )
