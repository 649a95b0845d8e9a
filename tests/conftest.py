"""Personas and helpers shared by every test (DESIGN.md convention 9: a denial beside every
success). Two clinics: the personas work in clinic A; `other_clinic_nurse` works in clinic B.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.authn import issue_token
from ketamine_clinic.accounts.backends import BACKEND
from ketamine_clinic.accounts.models import Clinic, Membership, User
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.patients import actions
from ketamine_clinic.patients.models import Patient
from tests.factories.mail import MailServer

# Speed is measured in bench/, not in tests: a slow or busy machine must not fail a property.
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")

PASSWORD = "correct-horse-battery-staple"
PERSONAS = ("admin", "prescriber", "nurse", "front_desk", "patient", "other_clinic_nurse")


@cache
def password_hash() -> str:
    """Argon2 is deliberately slow; hash the shared test password once per run."""
    return make_password(PASSWORD)


def make_user(username: str, clinic: Clinic, role: Role) -> User:
    user = User.objects.create(username=username, password=password_hash(), first_name=username)
    Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


def register(actor_user: User, clinic: Clinic, given: str, family: str, **extra: Any) -> Patient:
    data: dict[str, Any] = {
        "given_name": given,
        "family_name": family,
        "birth_date": date(1980, 5, 17),
        "sex": "female",
        "weight_kg": Decimal("70.00"),
        "height_cm": Decimal("165.00"),
    }
    data.update(extra)
    return actions.register_patient(Actor(user=actor_user, via="cli"), clinic, data)


@dataclass
class World:
    clinic: Clinic
    other_clinic: Clinic
    users: dict[str, User]
    own_patient: Patient  # the `patient` persona's own chart, in clinic A
    patient: Patient  # another patient in clinic A
    other_patient: Patient  # a patient in clinic B

    def client(self, persona: str) -> Client:
        """A client logged in through a session, as the browser would be."""
        client = Client()
        client.force_login(self.users[persona], backend=BACKEND)
        return client

    def api(self, persona: str | None) -> ApiClient:
        return ApiClient(self.users[persona] if persona else None)

    def vial(self, mg_per_ml: int = 10, clinic: Clinic | None = None) -> Any:
        """A racemic ketamine product in the vault (clinic A unless said), made once."""
        from ketamine_clinic.inventory.models import Product

        product, _ = Product.objects.get_or_create(
            clinic=clinic or self.clinic,
            ndc=f"0409-{mg_per_ml:04d}-01",
            defaults={
                "name": f"Ketamine {mg_per_ml} mg/mL",
                "substance": "ketamine",
                "form": "vial",
                "concentration_mg_per_ml": Decimal(mg_per_ml),
                "container_mg": Decimal(mg_per_ml * 10),
            },
        )
        return product

    def infusion(self, mg_per_ml: int = 10, final_volume_ml: str = "50") -> dict[str, str]:
        """An order's preparation: drawn from the clinic's vial, made up in saline."""
        return {
            "stock_product": str(self.vial(mg_per_ml).pk),
            "diluent": "sodium_chloride_0_9",
            "final_volume_ml": final_volume_ml,
        }


class ApiClient:
    """A bearer-token API client; with no user it sends no credentials."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {issue_token(user, None).token}"

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        fn = getattr(self.client, method.lower())
        if body is not None:
            kwargs["data"] = json.dumps(body, default=str)
            kwargs["content_type"] = "application/json"
        return fn(f"/api/v1{path}", headers=self.headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body if body is not None else {}, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PUT", path, body, **kwargs)


@pytest.fixture
def world(db: None) -> World:
    clinic = Clinic.objects.create(name="Clinic A")
    other = Clinic.objects.create(name="Clinic B")
    users = {
        "admin": make_user("admin", clinic, Role.ADMIN),
        "prescriber": make_user("prescriber", clinic, Role.PRESCRIBER),
        "nurse": make_user("nurse", clinic, Role.NURSE),
        "front_desk": make_user("front_desk", clinic, Role.FRONT_DESK),
        "patient": make_user("patient", clinic, Role.PATIENT),
        "other_clinic_nurse": make_user("other_clinic_nurse", other, Role.NURSE),
    }
    own = register(users["front_desk"], clinic, "Mei", "Chen")
    Patient.objects.filter(pk=own.pk).update(user=users["patient"])
    patient = register(users["front_desk"], clinic, "James", "Walker", sex="male")
    other_patient = register(users["other_clinic_nurse"], other, "Omar", "Haddad", sex="male")
    return World(clinic, other, users, own, patient, other_patient)


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests are slowest; run them last so a quick failure shows first.
    items.sort(key=lambda item: "browser" in item.keywords)
    # Tests that touch no database are the same on every backend: the PostgreSQL run skips
    # them (`-m "not pure"`). A test marked `once` runs in that run whatever it touches (the
    # SQLite run skips it), or it would run in neither.
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if (
            not names & DATABASE_FIXTURES
            and item.get_closest_marker("django_db") is None
            and item.get_closest_marker("once") is None
        ):
            item.add_marker(pytest.mark.pure)


@pytest.fixture
def clock() -> Iterator[Any]:
    """9 in the morning today, standing still until shifted: a session's minutes matter
    (device spacing, the 2-hour rule)."""
    with time_machine.travel(timezone.now().replace(hour=9, minute=0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp(settings: Any) -> Iterator[MailServer]:
    """A real SMTP server (aiosmtpd) for the test, with Django's mail pointed at it."""
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "clinic@clinic-a.example"
    try:
        yield server
    finally:
        server.stop()
