"""Demo data: two clinics, one user per role, and about twenty patients with histories.

Deterministic (a fixed random seed), so screenshots and walkthroughs match the docs, and
idempotent: a second run finds the demo clinic and adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.assessments import actions as assessment_actions
from ketamine_clinic.assessments import outcome_summary
from ketamine_clinic.assessments.models import Source
from ketamine_clinic.clinical.instruments import BUILTIN
from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.clinical.scheduling import next_open_day
from ketamine_clinic.demo.sessions import seed_esketamine_session, stock_vault
from ketamine_clinic.evaluations import actions as evaluation_actions
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent import queries as consent_queries
from ketamine_clinic.evaluations.consent.starters import STARTERS
from ketamine_clinic.evaluations.notes import actions as notes
from ketamine_clinic.patients import actions
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.patients.records import RECORD_KINDS
from ketamine_clinic.treatment import actions as treatment_actions
from ketamine_clinic.treatment.actions import protocols as protocol_actions
from ketamine_clinic.treatment.models import Course, DoseOrder, ScheduledSession
from ketamine_clinic.treatment.queries import dosing

DEMO_PASSWORD = "ketamine-demo-2026"  # noqa: S105  # published demo login, never used in production
MAIN_CLINIC = "Riverside Ketamine Clinic"
OTHER_CLINIC = "Harbor Mood Center"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    clinic: str


DEMO_USERS = [
    DemoUser("admin", "Alex", "Morgan", Role.ADMIN, MAIN_CLINIC),
    DemoUser("drrivera", "Ana", "Rivera", Role.PRESCRIBER, MAIN_CLINIC),
    DemoUser("sam", "Sam", "Okafor", Role.NURSE, MAIN_CLINIC),
    DemoUser("jo", "Jo", "Lindqvist", Role.FRONT_DESK, MAIN_CLINIC),
    DemoUser("meichen", "Mei", "Chen", Role.PATIENT, MAIN_CLINIC),
    DemoUser("harbor.admin", "Priya", "Nair", Role.ADMIN, OTHER_CLINIC),
    DemoUser("harbor.nurse", "Tom", "Becker", Role.NURSE, OTHER_CLINIC),
]

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
GIVEN = [
    "James",
    "Maria",
    "David",
    "Sarah",
    "Daniel",
    "Laura",
    "Kevin",
    "Olivia",
    "Marcus",
    "Emma",
    "Luis",
    "Grace",
    "Ethan",
    "Hannah",
    "Noah",
    "Zoe",
    "Omar",
    "Julia",
    "Ryan",
]
FAMILY = [
    "Walker",
    "Santos",
    "Kim",
    "Brennan",
    "Novak",
    "Fischer",
    "Patel",
    "Dubois",
    "Reyes",
    "Hughes",
    "Moreno",
    "Larsen",
    "Okonkwo",
    "Sato",
    "Ivanova",
    "Murphy",
    "Haddad",
    "Costa",
    "Nguyen",
]


# Ms. Chen's infusions, in days from the Friday before: Mon, Wed, Fri, Mon, Wed, Fri.
CHEN_DOSE_DAYS = (3, 5, 7, 10, 12, 14)


def seed(now: datetime | None = None) -> bool:
    """Create the demo data unless it is there already. Returns True when it created it."""
    if Clinic.objects.filter(name=MAIN_CLINIC).exists():
        return False
    now = now or timezone.now()
    rng = random.Random(20261121)  # noqa: S311  # demo data, not security
    with transaction.atomic():
        clinics = {name: Clinic.objects.create(name=name) for name in (MAIN_CLINIC, OTHER_CLINIC)}
        Clinic.objects.filter(name=MAIN_CLINIC).update(
            phone="+1 555 0100", address="12 River Street, Springfield, IL 62701"
        )
        clinics[MAIN_CLINIC].refresh_from_db()
        users = {}
        for spec in DEMO_USERS:
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.invalid",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            Membership.objects.create(user=user, clinic=clinics[spec.clinic], role=spec.role)
            users[spec.username] = user
        front_desk = Actor(user=users["jo"], via="cli")
        prescriber = Actor(user=users["drrivera"], via="cli")
        chen = _register(
            front_desk, clinics[MAIN_CLINIC], "Mei", "Chen", date(1984, 3, 9), "female", 70, 163
        )
        Patient.objects.filter(pk=chen.pk).update(user=users["meichen"])
        _chen_history(prescriber, chen, now)
        patients: list[Patient] = []
        for i in range(18):
            clinic = clinics[MAIN_CLINIC] if i < 14 else clinics[OTHER_CLINIC]
            actor = front_desk if i < 14 else Actor(user=users["harbor.nurse"], via="cli")
            sex = "female" if i % 2 else "male"
            birth = date(1950 + rng.randrange(0, 52), rng.randrange(1, 13), rng.randrange(1, 29))
            weight = rng.randrange(52, 118)
            height = rng.randrange(155, 195)
            patient = _register(actor, clinic, GIVEN[i], FAMILY[i], birth, sex, weight, height)
            writer = prescriber if i < 14 else Actor(user=users["harbor.nurse"], via="cli")
            _random_history(writer, patient, rng, now)
            patients.append(patient)
        nurse = Actor(user=users["sam"], via="cli")
        for clinic_name, clinic in clinics.items():
            author = Actor(
                user=users["admin" if clinic_name == MAIN_CLINIC else "harbor.admin"], via="cli"
            )
            for product, (title, body) in STARTERS.items():
                consent_actions.publish_document(author, clinic, product, title, body)
        # Her induction began on a Monday about six weeks ago: the Friday before is "start".
        chen_start = now - timedelta(days=45)
        chen_start -= timedelta(days=(chen_start.weekday() - 4) % 7)
        _chen_evaluation_and_consent(prescriber, nurse, chen, chen_start)
        _chen_scores(nurse, chen, chen_start)
        vault = stock_vault(Actor(user=users["admin"], via="cli"), clinics[MAIN_CLINIC], now)
        _chen_course(prescriber, chen, chen_start, vault["ketamine"].product)
        _chen_note(prescriber, chen, now)
        protocol_actions.copy_protocol(
            prescriber,
            clinics[MAIN_CLINIC],
            base_id="iv-racemic-standard",
            key="iv-twice-weekly",
            name="IV ketamine twice weekly, up to 0.75 mg/kg",
            changes={
                "max_mg_per_kg": "0.75",
                "phases": [
                    {"name": "induction", "sessions": 8, "per_week": 2, "min_hours_apart": 72},
                    {"name": "maintenance weekly"},
                    {"name": "maintenance every 2 weeks"},
                    {"name": "maintenance as needed"},
                ],
            },
            reason="Standing protocol for patients who cannot come three times a week",
        )
        _relapse_scores(nurse, patients[0], now)
        _alert_score(nurse, patients[1], now)
        for patient in patients[2:8]:
            _weekly_scores(nurse, patient, rng, now)
        seed_esketamine_session(prescriber, nurse, patients[2], now, vault["esketamine"])
        outcome_summary.refresh(patients[2])  # the session above is written directly
    return True


def _register(
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


def _add(actor: Actor, patient: Patient, segment: str, **data: Any) -> None:
    access = PatientAccess(patient, actor.user.role_in(patient.clinic_id) or Role.PRESCRIBER)
    actions.add_record(actor, access, RECORD_KINDS[segment], data)


def _chen_history(actor: Actor, patient: Patient, now: datetime) -> None:
    """Ms. Chen of STORIES.md: three failed antidepressants and one course of psychotherapy."""
    start = now.date() - timedelta(days=600)
    _add(
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
        _add(
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
    _add(
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
    _add(
        actor,
        patient,
        "medications",
        name="Escitalopram",
        dose="20 mg once daily",
        indication="depression",
        started_on=now.date() - timedelta(days=90),
    )
    _add(actor, patient, "allergies", substance="Penicillin", reaction="hives", severity="moderate")


def _random_history(actor: Actor, patient: Patient, rng: random.Random, now: datetime) -> None:
    code, text = DIAGNOSES[rng.randrange(len(DIAGNOSES))]
    onset = now.date() - timedelta(days=rng.randrange(200, 1500))
    _add(actor, patient, "diagnoses", icd10_code=code, text=text, is_primary=True, onset_on=onset)
    if rng.random() < 0.4:
        code, text = COMORBID[rng.randrange(len(COMORBID))]
        _add(actor, patient, "diagnoses", icd10_code=code, text=text)
    trials = rng.sample(ANTIDEPRESSANTS, rng.randrange(1, 6))
    day = onset + timedelta(days=14)
    for drug, dose in trials:
        weeks = rng.choice([3, 4, 6, 8, 10, 12])
        intolerant = rng.random() < 0.2
        _add(
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
        _add(
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
        _add(
            actor,
            patient,
            "treatment-history",
            kind="psychotherapy",
            name=rng.choice(["CBT", "Behavioural activation", "IPT"]),
            sessions=rng.randrange(8, 21),
            outcome="partial",
        )
    if rng.random() < 0.15:
        _add(
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
        _add(
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
    _add(actor, patient, "medications", name=drug, dose=f"{dose} mg daily", indication="depression")
    if rng.random() < 0.3:
        _add(
            actor,
            patient,
            "allergies",
            substance=rng.choice(["Penicillin", "Sulfonamides", "Latex"]),
            severity=rng.choice(["mild", "moderate"]),
        )


def _answers(instrument_id: str, total: int, item9: int = 0) -> dict[str, int]:
    """An answer set with the given total, spread over the items (item 9 of PHQ-9 apart)."""
    instrument = BUILTIN[instrument_id]
    answers = {item.id: item.min for item in instrument.items}
    spread = [i for i in instrument.items if not (instrument_id == "phq9" and i.id == "9")]
    if instrument_id == "phq9":
        answers["9"] = item9
        total -= item9
    n = 0
    while total > 0:
        item = spread[n % len(spread)]
        if answers[item.id] < item.max:
            answers[item.id] += 1
            total -= 1
        n += 1
    return answers


def _score(
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    total: int,
    at: datetime,
    context: str,
    item9: int = 0,
    source: str = Source.STAFF,
) -> None:
    role = actor.user.role_in(patient.clinic_id) or Role.NURSE
    assessment_actions.record_assessment(
        actor,
        PatientAccess(patient, role),
        BUILTIN[instrument_id],
        _answers(instrument_id, total, item9),
        at,
        context,
        source=source,
    )


def _chen_scores(actor: Actor, patient: Patient, start: datetime) -> None:
    """Journey 5: six infusions, PHQ-9 from 21 to 8 (a response), 4-hour and 24-hour scores."""
    _score(actor, patient, "phq9", 21, start, "baseline")
    _score(actor, patient, "gad7", 15, start, "baseline")
    _score(actor, patient, "madrs", 34, start + timedelta(hours=1), "baseline")
    pre_4h_24h = [(21, 10, 15), (18, 9, 13), (15, 8, 12), (13, 7, 11), (11, 6, 10), (10, 5, 9)]
    induction = [(day, *scores) for day, scores in zip(CHEN_DOSE_DAYS, pre_4h_24h, strict=True)]
    for day, pre, four_h, next_day in induction:
        dose = start + timedelta(days=day)
        _score(actor, patient, "phq9", pre, dose, "pre_dose")
        _score(
            actor, patient, "phq9", four_h, dose + timedelta(hours=4), "4h", source=Source.PORTAL
        )
        _score(
            actor, patient, "phq9", next_day, dose + timedelta(days=1), "24h", source=Source.PORTAL
        )
    for week, (phq, gad) in enumerate([(9, 9), (8, 8), (8, 7)], start=3):
        at = start + timedelta(weeks=week, days=2)
        _score(actor, patient, "phq9", phq, at, "weekly", source=Source.PORTAL)
        _score(actor, patient, "gad7", gad, at, "weekly", source=Source.PORTAL)
    _score(actor, patient, "madrs", 16, start + timedelta(days=17), "weekly")


def _relapse_scores(actor: Actor, patient: Patient, now: datetime) -> None:
    start = now - timedelta(days=70)
    _score(actor, patient, "phq9", 20, start, "baseline")
    for days, total in [(14, 9), (28, 8), (42, 11), (56, 16), (63, 17)]:
        _score(
            actor,
            patient,
            "phq9",
            total,
            start + timedelta(days=days),
            "weekly",
            source=Source.PORTAL,
        )


def _alert_score(actor: Actor, patient: Patient, now: datetime) -> None:
    """Journey 4: an answer of "several days" to item 9 at home, waiting on the dashboard."""
    _score(actor, patient, "phq9", 18, now - timedelta(days=20), "baseline")
    _score(
        actor,
        patient,
        "phq9",
        16,
        now - timedelta(hours=10),
        "weekly",
        item9=1,
        source=Source.PORTAL,
    )


def _weekly_scores(actor: Actor, patient: Patient, rng: random.Random, now: datetime) -> None:
    base = rng.randrange(14, 25)
    start = now - timedelta(days=rng.randrange(20, 50))
    _score(actor, patient, "phq9", base, start, "baseline")
    total = base
    for week in range(1, rng.randrange(2, 6)):
        total = max(2, total - rng.randrange(0, 5))
        _score(
            actor,
            patient,
            "phq9",
            total,
            start + timedelta(weeks=week),
            "weekly",
            source=Source.PORTAL,
        )


def _chen_course(prescriber: Actor, patient: Patient, start: datetime, vial: Any) -> None:
    """Journey 5's induction as the record would hold it (six 0.5 mg/kg infusions, an
    integration session on the open day after every second one), now moving to weekly
    maintenance."""
    protocol = LIBRARY["iv-racemic-standard"]
    params = dosing.DoseParams(
        dose_mg_per_kg=Decimal("0.5"),
        stock_product=vial.pk,
        diluent="sodium_chloride_0_9",
        final_volume_ml=Decimal(50),
        duration_min=Decimal(40),
    )
    calculation = dosing.calculate(
        protocol,
        params,
        dosing.PatientFacts(
            weight=Decimal(70),
            measured_on=(start - timedelta(days=2)).date(),
            age_years=None,
            height_cm=Decimal(163),
            sex="female",
        ),
        patient.clinic_id,
        (start + timedelta(days=2)).date(),
    )
    course = Course.objects.create(
        patient=patient,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        product=protocol.product,
        state=Course.State.ACTIVE,
        start_on=(start + timedelta(days=CHEN_DOSE_DAYS[0])).date(),
        created_by=prescriber.user,
        created_at=start + timedelta(days=2),
    )
    DoseOrder.objects.create(
        patient=patient,
        course=course,
        dose_mg_per_kg=params.dose_mg_per_kg,
        stock_product=vial,
        concentration_mg_per_ml=vial.concentration_mg_per_ml,
        diluent="sodium_chloride_0_9",
        final_volume_ml=Decimal(50),
        duration_min=params.duration_min,
        calculation=treatment_actions.snapshot_json(dosing.calculation_json(calculation)),
        signed_at=start + timedelta(days=2),
        signed_by=prescriber.user,
        created_by=prescriber.user,
        created_at=start + timedelta(days=2),
    )
    for n, day in enumerate(CHEN_DOSE_DAYS, start=1):
        on = (start + timedelta(days=day)).date()
        ScheduledSession.objects.create(
            patient=patient,
            course=course,
            on=on,
            phase="induction",
            state="done",
            note="given as ordered",
            created_by=prescriber.user,
        )
        if n % 2 == 0:
            ScheduledSession.objects.create(
                patient=patient,
                course=course,
                kind="integration",
                on=next_open_day(on),
                phase="induction",
                state="done",
                note="with Dr Okafor",
                created_by=prescriber.user,
            )
    treatment_actions.start_maintenance(
        prescriber, PatientAccess(patient, Role.PRESCRIBER), course, course.version
    )


def _chen_note(prescriber: Actor, patient: Patient, now: datetime) -> None:
    """A signed integration note after her last infusion, as her therapist-prescriber wrote it."""
    access = PatientAccess(patient, Role.PRESCRIBER)
    note = notes.write_note(
        prescriber, access, "integration", "Integration after infusion 6",
        "Describes the infusion as calmer than the first ones. Sleeping 7 hours. Wants to "
        "return to part-time work next month; plan to review with her therapist.",
        (now - timedelta(days=2)).date(),
    )  # fmt: skip
    notes.sign_note(prescriber, access, note, note.version)


def _chen_evaluation_and_consent(
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
