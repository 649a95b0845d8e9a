"""An email provider's tracking webhook, as django-anymail hands it on (its `tracking`
signal, one event per report): a bounce or a rejection marks the message bounced, a delivery
marks it delivered. The webhook itself (URL, the provider's payload, the shared secret) is
anymail's; see docs/messages.md."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, tracking
from django.dispatch import receiver

from ketamine_clinic.messaging import actions
from ketamine_clinic.messaging.models import Channel

# Anymail's normalised event types that mean the message will not arrive. A deferral is only
# news (the provider keeps trying); opens and clicks are not recorded at all.
NOT_DELIVERED = frozenset({EventType.BOUNCED, EventType.REJECTED, EventType.FAILED})


@receiver(tracking, dispatch_uid="messaging.email_tracking")
def email_tracking(sender: Any, event: AnymailTrackingEvent, esp_name: str, **_: Any) -> None:
    if event.event_type == EventType.DELIVERED:
        actions.delivery_report(Channel.EMAIL, event.message_id or "", delivered=True)
    elif event.event_type in NOT_DELIVERED:
        words = event.mta_response or event.description or event.reject_reason or "no reason given"
        actions.delivery_report(
            Channel.EMAIL,
            event.message_id or "",
            delivered=False,
            why=f"{esp_name}: {event.event_type} ({words})",
        )
