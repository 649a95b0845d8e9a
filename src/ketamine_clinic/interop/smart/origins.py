"""Which web origins may read /fhir/ from a browser: those of the clinic's registered SMART
apps, where each is sent back after sign-in. Asked by django-cors-headers for each
cross-origin request to /fhir/ (its check_request_enabled signal)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from oauth2_provider.models import Application


def registered_origin(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    origin = request.headers.get("Origin", "")
    if not origin or not request.path.startswith("/fhir/"):
        return False
    found = Application.objects.filter(
        smart__isnull=False, allowed_origins__contains=origin
    ).values_list("allowed_origins", flat=True)
    return any(origin in allowed.split() for allowed in found)
