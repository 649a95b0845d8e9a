"""A database that cannot be reached for a moment (a restart, a failover, a lock that timed
out) is not a bug: the request changed nothing, and the same request a few seconds later will
work. Answer 503 with Retry-After, so tablets and API clients retry, instead of a 500."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error

RETRY_AFTER_S = 5
MESSAGE = "The database is briefly unavailable; nothing was saved. Try again in a few seconds."


def handler500(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler, except for a database outage, which gets 503."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, OperationalError | InterfaceError):
        return server_error(request)
    response: HttpResponse
    if request.path.startswith(("/api/", "/fhir/")):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response
