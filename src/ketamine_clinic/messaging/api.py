"""Messaging over the API: a patient's choice of channel (the patient, or staff as asked), a
patient's message log and sending again, the clinic's log, and the SMS provider's webhook
for STOP and START."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Status

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.messaging import actions, queries
from ketamine_clinic.messaging.models import Channel, Message
from ketamine_clinic.messaging.schemas import MessageOut, PreferenceIn, PreferenceOut
from ketamine_clinic.patients.access import (
    PatientAccess,
    get_patient_for_user,
    one_clinic,
    own_or_with,
    record_patient_access,
)

router = Router(tags=["messages"])
webhook = Router(tags=["messages"])


def _own_or_desk(request: HttpRequest, patient_id: uuid.UUID) -> PatientAccess:
    """The patient themself, or staff who keep the schedule (who hear the patient's wishes)."""
    return own_or_with(request_user(request), patient_id, Capability.MANAGE_SCHEDULE)


def _out(access: PatientAccess) -> dict[str, Any]:
    found = queries.preference(access.patient)
    to, _ = queries.recipient(access.patient, "reminders")
    if found is None:
        return {"channel": to.channel if to else "", "reminders": True, "questionnaires": True,
                "sms_stopped": False, "email_stopped": False, "basis": queries.DEFAULT_BASIS,
                "version": None}  # fmt: skip
    return {"channel": found.channel, "reminders": found.reminders,
            "questionnaires": found.questionnaires, "sms_stopped": bool(found.sms_stopped_at),
            "email_stopped": bool(found.email_stopped_at), "basis": found.basis,
            "version": found.version}  # fmt: skip


@router.get(
    "/patients/{patient_id}/message-preference",
    response=PreferenceOut,
    summary="How the patient hears from the clinic",
)
def get_preference(request: HttpRequest, patient_id: uuid.UUID) -> dict[str, Any]:
    access = _own_or_desk(request, patient_id)
    record_patient_access(api_actor(request), access, "read", "message_preference")
    return _out(access)


@router.put(
    "/patients/{patient_id}/message-preference",
    response=PreferenceOut,
    summary="Choose email or text, and which messages (409 if changed first)",
)
def put_preference(
    request: HttpRequest, patient_id: uuid.UUID, payload: PreferenceIn
) -> dict[str, Any]:
    access = _own_or_desk(request, patient_id)
    actions.set_preference(
        api_actor(request), access, channel=payload.channel, reminders=payload.reminders,
        questionnaires=payload.questionnaires, version=payload.version,
    )  # fmt: skip
    return _out(access)


@router.get(
    "/patients/{patient_id}/messages",
    response=list[MessageOut],
    summary="What was sent to the patient, or not, and why",
)
def patient_messages(request: HttpRequest, patient_id: uuid.UUID) -> list[Message]:
    access = _own_or_desk(request, patient_id)
    record_patient_access(api_actor(request), access, "read", "messages")
    return list(queries.of_patient(access.patient)[:200])


@router.post(
    "/messages/{message_id}/again",
    response={201: MessageOut},
    summary="Send a failed or interrupted message again (a new message)",
)
def send_again(request: HttpRequest, message_id: uuid.UUID) -> Status:
    found = queries.message(message_id)
    if found is None or found.patient_id is None:
        raise Http404("no such message")
    access = get_patient_for_user(
        request_user(request), found.patient_id, Capability.MANAGE_SCHEDULE
    )
    return Status(201, actions.send_again(api_actor(request), access, found))


@router.get("/messages", response=list[MessageOut], summary="The location's message log")
def clinic_messages(
    request: HttpRequest, state: str | None = None, clinic: uuid.UUID | None = None
) -> list[Message]:
    user = request_user(request)
    clinic_id = one_clinic(user, clinic, Capability.MANAGE_SCHEDULE)
    record_access(api_actor(request), action="list", what="messages", clinic=clinic_id,
                  role=user.role_in(clinic_id))  # fmt: skip
    return list(queries.of_clinic(clinic_id, state)[:500])


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's request signature: HMAC-SHA1 of the URL and the sorted POST parameters."""
    payload = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _signed(request: HttpRequest) -> dict[str, str]:
    """The POST parameters of a request Twilio signed; 404 without a provider, 403 forged."""
    if settings.KC_SMS_BACKEND != "twilio":
        raise Http404("no SMS provider is configured")
    params = {k: request.POST.get(k, "") for k in request.POST}
    url = settings.KC_PUBLIC_URL + request.get_full_path()
    expected = twilio_signature(url, params, settings.KC_SMS_TOKEN)
    if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "")):
        raise PermissionDenied("the signature does not match")
    return params


# Twilio's final statuses for a text that did not arrive (its status callback's MessageStatus);
# "queued", "sent" and the like are only news.
TWILIO_NOT_DELIVERED = frozenset({"undelivered", "failed"})


@webhook.post("/sms/status", auth=None, include_in_schema=False)
def sms_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback for a text the clinic sent: delivered, or a bounce."""
    params = _signed(request)
    status = params.get("MessageStatus", "")
    if status == "delivered" or status in TWILIO_NOT_DELIVERED:
        why = f"not delivered ({status}, code {params.get('ErrorCode') or '?'})"
        actions.delivery_report(Channel.SMS, params.get("MessageSid", ""),
                                delivered=status == "delivered", why=why)  # fmt: skip
    return HttpResponse(status=204)


@webhook.post("/sms/inbound", auth=None, include_in_schema=False)
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Twilio's webhook for a text to the clinic's number: STOP and START act at once."""
    params = _signed(request)
    actions.text_received(params.get("From", ""), params.get("Body", ""))
    return HttpResponse("<Response/>", content_type="text/xml")
