"""A patient's message choices, the STOP texted back, the message log and sending again,
role by role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ketamine_clinic.messaging.api import twilio_signature
from ketamine_clinic.messaging.models import Message, Preference
from ketamine_clinic.patients.models import Patient
from tests.conftest import World

pytestmark = pytest.mark.django_db


def contact(world: World) -> None:
    for patient in (world.patient, world.own_patient):
        patient.email = f"{patient.given_name.lower()}@example.org"
        patient.phone = "+15550001111"
        Patient.objects.filter(pk=patient.pk).update(email=patient.email, phone=patient.phone)


def test_the_patient_or_the_desk_chooses_the_channel_and_others_are_refused(world: World) -> None:
    contact(world)
    own = f"/patients/{world.own_patient.pk}/message-preference"
    patient = world.api("patient")
    first = patient.get(own).json()
    assert (first["channel"], first["version"]) == ("email", None)
    chose = patient.put(own, {"channel": "sms", "reminders": True, "questionnaires": False})
    assert chose.status_code == 200, chose.content
    assert chose.json()["basis"].startswith("chosen by the patient, in the portal")
    assert patient.put(own, {"channel": "email", "version": 5}).status_code == 409
    assert patient.put(own, {"channel": "pigeon"}).status_code == 422
    theirs = f"/patients/{world.patient.pk}/message-preference"
    assert patient.get(theirs).status_code == 404  # another patient's
    desk = world.api("front_desk").put(theirs, {"channel": "sms"})
    assert desk.status_code == 200
    assert "front_desk" in desk.json()["basis"]
    assert world.api("admin").get(theirs).status_code == 403
    assert world.api("other_clinic_nurse").get(theirs).status_code == 404
    assert world.api(None).get(theirs).status_code == 401
    Patient.objects.filter(pk=world.own_patient.pk).update(phone="")
    no_phone = patient.put(own, {"channel": "sms", "version": 1})
    assert no_phone.status_code == 422
    assert no_phone.json()["detail"][0]["loc"][-1] == "channel"


def _signed_post(url: str, params: dict[str, str], token: str) -> Any:
    from django.conf import settings

    signature = twilio_signature(settings.KC_PUBLIC_URL + url, params, token)
    return Client().post(url, params, headers={"X-Twilio-Signature": signature})


def test_stop_by_text_stops_texts_and_start_resumes_them(world: World, settings: Any) -> None:
    contact(world)
    url = "/api/v1/sms/inbound"
    assert Client().post(url, {"From": "+15550001111", "Body": "STOP"}).status_code == 404
    settings.KC_SMS_BACKEND = "twilio"
    settings.KC_SMS_TOKEN = "secret-token"
    forged = Client().post(url, {"From": "+15550001111", "Body": "STOP"},
                           headers={"X-Twilio-Signature": "forged"})  # fmt: skip
    assert forged.status_code == 403
    assert not Preference.objects.exists()
    stopped = _signed_post(url, {"From": "+15550001111", "Body": "Stop "}, "secret-token")
    assert stopped.status_code == 200
    both = Preference.objects.filter(sms_stopped_at__isnull=False)
    assert {p.patient_id for p in both} == {world.patient.pk, world.own_patient.pk}
    assert all(p.basis.startswith("texted STOP") for p in both)
    _signed_post(url, {"From": "+15550001111", "Body": "START"}, "secret-token")
    assert not Preference.objects.filter(sms_stopped_at__isnull=False).exists()
    _signed_post(url, {"From": "+15550001111", "Body": "See you Monday"}, "secret-token")
    assert not Preference.objects.filter(sms_stopped_at__isnull=False).exists()


def test_the_log_shows_what_went_and_a_failed_message_goes_again(world: World) -> None:
    contact(world)
    failed = Message.objects.create(
        key="test:1", clinic=world.clinic, patient=world.patient, kind="reminder",
        channel="email", to="james@example.org", subject="s", body="b", due_at=timezone.now(),
        state="failed", last_error="gave up: timeout", basis="test",
    )  # fmt: skip
    desk = world.api("front_desk")
    log = desk.get(f"/patients/{world.patient.pk}/messages")
    assert [m["state"] for m in log.json()] == ["failed"]
    assert desk.get("/messages", data={"state": "failed"}).json()[0]["id"] == str(failed.pk)
    assert world.api("nurse").post(f"/messages/{failed.pk}/again").status_code == 201
    assert Message.objects.filter(state="queued", kind="reminder").count() == 1
    again = desk.post(f"/messages/{failed.pk}/again")
    assert again.status_code == 201
    sent = Message.objects.create(
        key="test:2", clinic=world.clinic, patient=world.patient, kind="reminder",
        channel="email", to="james@example.org", subject="s", body="b", due_at=timezone.now(),
        state="sent", basis="test",
    )  # fmt: skip
    assert desk.post(f"/messages/{sent.pk}/again").status_code == 409
    assert world.api("other_clinic_nurse").post(f"/messages/{failed.pk}/again").status_code == 404
    assert world.api("patient").get("/messages").status_code == 403


def test_the_sms_provider_reports_delivery_and_bounces(world: World, settings: Any) -> None:
    contact(world)
    sent = [
        Message.objects.create(
            key=f"test:sms:{n}",
            clinic=world.clinic,
            patient=world.patient,
            kind="reminder",
            channel="sms",
            to="+15550001111",
            subject="",
            body="b",
            due_at=timezone.now(),
            state="sent",
            basis="test",
            provider_id=f"SM{n}",
        )
        for n in range(2)
    ]
    url = "/api/v1/sms/status"
    assert (
        Client().post(url, {"MessageSid": "SM0", "MessageStatus": "delivered"}).status_code == 404
    )
    settings.KC_SMS_BACKEND = "twilio"
    settings.KC_SMS_TOKEN = "secret-token"
    assert Client().post(url, {"MessageSid": "SM0", "MessageStatus": "delivered"},
                         headers={"X-Twilio-Signature": "x"}).status_code == 403  # fmt: skip
    assert _signed_post(url, {"MessageSid": "SM0", "MessageStatus": "delivered"},
                        "secret-token").status_code == 204  # fmt: skip
    _signed_post(url, {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003"},
                 "secret-token")  # fmt: skip
    for message in sent:
        message.refresh_from_db()
    assert sent[0].delivered_at is not None
    assert (sent[1].state, sent[1].last_error) == (
        "bounced",
        "not delivered (undelivered, code 30003)",
    )
