"""Demo data: two clinics, one user per role, and about twenty patients with histories.

Deterministic (a fixed random seed), so screenshots and walkthroughs match the docs, and
idempotent: a second run finds the demo clinic and adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.demo.calendar import seed_calendar
from ketamine_clinic.demo.chen import chen_course, chen_evaluation_and_consent, chen_note
from ketamine_clinic.demo.histories import chen_history, random_history, register
from ketamine_clinic.demo.scores import alert_score, chen_scores, relapse_scores, weekly_scores
from ketamine_clinic.demo.sessions import seed_esketamine_session, stock_vault
from ketamine_clinic.evaluations.consent import actions as consent_actions
from ketamine_clinic.evaluations.consent.starters import STARTERS
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.actions import protocols as protocol_actions

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


def seed(now: datetime | None = None) -> bool:
    """Create the demo data unless it is there already. Returns True when it created it."""
    if Clinic.objects.filter(name=MAIN_CLINIC).exists():
        return False
    now = now or timezone.now()
    rng = random.Random(20261121)  # noqa: S311  # demo data, not security
    with transaction.atomic():
        clinics = {name: Clinic.objects.create(name=name) for name in (MAIN_CLINIC, OTHER_CLINIC)}
        # Open every day, so that whatever day the demo starts on, someone is at the chair.
        Clinic.objects.filter(name=MAIN_CLINIC).update(
            phone="+1 555 0100", address="12 River Street, Springfield, IL 62701",
            open_weekdays=list(range(7)),
        )  # fmt: skip
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
        # Her induction began on a Monday about six weeks ago: the Friday before is "start".
        chen_start = now - timedelta(days=45)
        chen_start -= timedelta(days=(chen_start.weekday() - 4) % 7)
        with time_machine.travel(chen_start - timedelta(days=10), tick=False):  # she came in
            chen = register(
                front_desk, clinics[MAIN_CLINIC], "Mei", "Chen", date(1984, 3, 9), "female", 70, 163
            )
        Patient.objects.filter(pk=chen.pk).update(user=users["meichen"])
        chen_history(prescriber, chen, now)
        patients: list[Patient] = []
        for i in range(18):
            clinic = clinics[MAIN_CLINIC] if i < 14 else clinics[OTHER_CLINIC]
            actor = front_desk if i < 14 else Actor(user=users["harbor.nurse"], via="cli")
            sex = "female" if i % 2 else "male"
            birth = date(1950 + rng.randrange(0, 52), rng.randrange(1, 13), rng.randrange(1, 29))
            weight = rng.randrange(52, 118)
            height = rng.randrange(155, 195)
            patient = register(actor, clinic, GIVEN[i], FAMILY[i], birth, sex, weight, height)
            writer = prescriber if i < 14 else Actor(user=users["harbor.nurse"], via="cli")
            random_history(writer, patient, rng, now)
            patients.append(patient)
        nurse = Actor(user=users["sam"], via="cli")
        for clinic_name, clinic in clinics.items():
            author = Actor(
                user=users["admin" if clinic_name == MAIN_CLINIC else "harbor.admin"], via="cli"
            )
            for product, (title, body) in STARTERS.items():
                consent_actions.publish_document(author, clinic, product, title, body)
        with time_machine.travel(chen_start - timedelta(days=2), tick=False):
            chen_evaluation_and_consent(prescriber, nurse, chen, chen_start)
        chen_scores(nurse, chen, chen_start)
        vault = stock_vault(Actor(user=users["admin"], via="cli"), clinics[MAIN_CLINIC], now)
        chen_course(prescriber, chen, chen_start, vault["ketamine"].product)
        chen_note(prescriber, chen, now)
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
        relapse_scores(nurse, patients[0], now)
        alert_score(nurse, patients[1], now)
        for patient in patients[2:8]:
            weekly_scores(nurse, patient, rng, now)
        seed_esketamine_session(prescriber, nurse, patients[2], now, vault["esketamine"])
        seed_calendar(
            Actor(user=users["admin"], via="cli"), front_desk, clinics[MAIN_CLINIC],
            [users["sam"], users["drrivera"]], patients[8:11], now,
        )  # fmt: skip
    return True
