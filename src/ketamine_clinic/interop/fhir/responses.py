"""How the FHIR server answers: application/fhir+json, and an OperationOutcome for every
error (FHIR R4 http.html: "an OperationOutcome SHOULD be returned" with 4xx and 5xx)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

FHIR_JSON = "application/fhir+json"


def base_url(request: HttpRequest) -> str:
    """The FHIR server's base, as this request reached it (links, `iss`, `aud`)."""
    return request.build_absolute_uri("/fhir/")


def fhir_response(resource: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(resource), status=status, content_type=FHIR_JSON)


def outcome(status: int, code: str, message: str) -> HttpResponse:
    return fhir_response(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": message}],
        },
        status,
    )
