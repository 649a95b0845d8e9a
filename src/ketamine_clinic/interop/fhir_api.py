"""The FHIR R4 endpoints under /fhir/: Patient/{id}/$everything and the capability statement.

The same credentials as /api/v1/ (a bearer token or the browser session); the same access
rules (another clinic's patient is not found). Answers are application/fhir+json; a refusal
is an OperationOutcome.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability
from ketamine_clinic.api import BearerToken, SessionCookie
from ketamine_clinic.interop.fhir_bundle import everything
from ketamine_clinic.patients.access import get_patient_for_user, record_patient_access

FHIR_JSON = "application/fhir+json"

fhir_api = NinjaAPI(
    title="ketamine-clinic FHIR R4",
    version="4.0.1",
    auth=[BearerToken(), SessionCookie(csrf=True)],
    urls_namespace="fhir",
    docs_url=None,
    openapi_url=None,
)


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


@fhir_api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return outcome(401, "login", "authentication required")


@fhir_api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return outcome(403, "forbidden", str(exc) or "your role does not allow this")


@fhir_api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return outcome(404, "not-found", str(exc) or "not found")


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/")


@fhir_api.get("/Patient/{patient_id}/$everything", include_in_schema=False)
def patient_everything(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    record_patient_access(api_actor(request), access, "export", "fhir $everything")
    return fhir_response(everything(access.patient, base_url(request)))


@fhir_api.get("/metadata", auth=None, include_in_schema=False)
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: what this server answers."""
    return fhir_response(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-22",
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "implementation": {"description": "ketamine-clinic", "url": base_url(request)},
            "rest": [
                {
                    "mode": "server",
                    "resource": [
                        {
                            "type": "Patient",
                            "operation": [
                                {
                                    "name": "everything",
                                    "definition": "http://hl7.org/fhir/OperationDefinition/"
                                    "Patient-everything",
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )
