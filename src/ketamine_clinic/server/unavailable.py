"""A database that cannot be reached for a moment (a restart, a failover, a lock that timed
out) is not a bug: the request changed nothing, and the same request a few seconds later will
work. Answer 503 with Retry-After, so tablets and API clients retry, instead of a 500.

A request Django refuses before any view runs (a Host header not in ALLOWED_HOSTS, a
malformed cookie) is a 400 in the error shape of where it was sent: the API's `detail`, FHIR's
OperationOutcome, or the plain page."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import bad_request, server_error

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


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = "The request was refused: its Host header or another part of it is not valid."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    if request.path.startswith("/fhir/"):
        issue = {"severity": "error", "code": "invalid", "diagnostics": message}
        return JsonResponse(
            {"resourceType": "OperationOutcome", "issue": [issue]},
            status=400,
            content_type="application/fhir+json",
        )
    return bad_request(request, exception)
