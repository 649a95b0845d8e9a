"""The patient's own pages: coming appointments, and how the clinic contacts them."""

from __future__ import annotations

import pytest

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.roles import Role
from ketamine_clinic.appointments import actions
from ketamine_clinic.messaging.models import Preference
from ketamine_clinic.patients.access import PatientAccess
from ketamine_clinic.patients.models import Patient
from tests.conftest import World
from tests.factories.calendar import at, furnish
from tests.factories.courses import next_monday

pytestmark = pytest.mark.django_db


def test_the_patient_sees_their_coming_appointments(world: World) -> None:
    places = furnish(world)
    actions.book(Actor(user=world.users["front_desk"]),
                 PatientAccess(world.own_patient, Role.FRONT_DESK), kind="evaluation",
                 starts_at=at(next_monday(), 10), place=places["Room 1"],
                 staff=[world.users["prescriber"].pk])  # fmt: skip
    page = world.client("patient").get("/me/appointments/")
    assert page.status_code == 200
    assert b"Evaluation" in page.content
    assert b"10:00" in page.content
    assert b"my-appointments" in world.client("patient").get("/patients/me/").content
    assert world.client("front_desk").get("/me/appointments/").status_code == 403


def test_the_patient_chooses_how_the_clinic_contacts_them(world: World) -> None:
    Patient.objects.filter(pk=world.own_patient.pk).update(email="mei@example.org", phone="")
    client = world.client("patient")
    page = client.get("/me/contact/")
    assert page.status_code == 200
    refused = client.post("/me/contact/", {"channel": "sms", "reminders": "on"})
    assert b"no phone number on file" in refused.content
    saved = client.post("/me/contact/", {"channel": "email", "reminders": "on"})
    assert saved.status_code == 302
    chosen = Preference.objects.get(patient=world.own_patient)
    assert (chosen.channel, chosen.reminders, chosen.questionnaires) == ("email", True, False)
    assert chosen.basis.startswith("chosen by the patient, in the portal")
    stale = client.post("/me/contact/", {"channel": "email", "version": 7})
    assert b"someone changed this choice first" in stale.content
    assert world.client("nurse").get("/me/contact/").status_code == 403
