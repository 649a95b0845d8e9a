"""Every answer under /fhir/ is FHIR JSON, as the FHIR R4 http page asks: a client that will
take only XML (`_format=xml`, or an Accept header naming only XML types) gets 406, and an
error from anywhere on the way (an unknown address, a method the address does not take, a
refusal before any view ran) reaches the client as an OperationOutcome, not a web page."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ketamine_clinic.interop.fhir.responses import FHIR_JSON, outcome

JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
XML_FORMATS = {"xml", "text/xml", "application/xml", "application/fhir+xml"}
CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
         406: "not-supported", 409: "conflict", 413: "too-costly", 429: "throttled"}  # fmt: skip
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def only_xml(request: HttpRequest) -> str | None:
    """What the client asked for, when it is XML only; None when JSON will do."""
    wanted = request.GET.get("_format", "").split(";")[0].strip().lower()
    if wanted:
        return wanted if wanted not in JSON_FORMATS else None
    accept = [part.split(";")[0].strip().lower() for part in request.headers.get("Accept", "")
              .split(",") if part.strip()]  # fmt: skip
    if accept and all(kind in XML_FORMATS for kind in accept):
        return ", ".join(accept)
    return None


class FhirNegotiationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/fhir/"):
            return self.get_response(request)
        asked = only_xml(request)
        if asked:
            return outcome(406, "not-supported", f"this server answers FHIR JSON only, not {asked}")
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(FHIR_JSON):
            return response
        return as_outcome(response)


def as_outcome(response: HttpResponse) -> HttpResponse:
    """The same refusal, said as an OperationOutcome (its message kept when it had one)."""
    status = response.status_code
    message = response.reason_phrase
    if response.get("Content-Type", "").startswith("application/json"):
        # Ninja's own refusals say it in `detail`; input errors already left as FHIR (api.py).
        try:
            detail = json.loads(response.content).get("detail")
        except (ValueError, AttributeError):
            detail = None
        if isinstance(detail, str):
            message = detail
    answer = outcome(status, CODES.get(status, "exception"), message)
    for header in KEPT_HEADERS:
        if header in response:
            answer[header] = response[header]
    return answer
