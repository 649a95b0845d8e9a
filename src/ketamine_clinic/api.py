"""The JSON API under /api/v1/: authentication, error shapes, and the routers of each app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse

from ketamine_clinic.accounts.api import router as accounts_router
from ketamine_clinic.accounts.api_auth import BearerToken, SessionCookie
from ketamine_clinic.appointments.api import router as appointments_router
from ketamine_clinic.assessments.actions import AnswersInvalid, DefinitionInvalid
from ketamine_clinic.assessments.api import router as assessments_router
from ketamine_clinic.common.api_contract import ClinicAPI, ShallowJsonParser
from ketamine_clinic.common.errors import Conflict, InvalidInput
from ketamine_clinic.evaluations.api import router as evaluations_router
from ketamine_clinic.evaluations.consent.api import router as consent_router
from ketamine_clinic.evaluations.notes.api import router as notes_router
from ketamine_clinic.interop.api import router as reports_router
from ketamine_clinic.inventory.api import router as inventory_router
from ketamine_clinic.messaging.api import router as messaging_router
from ketamine_clinic.messaging.api import webhook as sms_webhook
from ketamine_clinic.patients.api import router as patients_router
from ketamine_clinic.treatment.api.courses import router as courses_router
from ketamine_clinic.treatment.api.dosing import router as treatment_router
from ketamine_clinic.treatment.api.pk import router as pk_router
from ketamine_clinic.treatment.api.protocols import router as protocols_router
from ketamine_clinic.treatment.api.titration import router as titration_router
from ketamine_clinic.treatment_sessions.api.billing import router as billing_router
from ketamine_clinic.treatment_sessions.api.sessions import router as sessions_router

api = ClinicAPI(
    title="ketamine-clinic API",
    version="1",
    description="Clinic records for ketamine and esketamine treatment. "
    "Errors: 401 unauthenticated, 403 role not allowed, 404 not found (also another clinic's "
    "records), 409 conflict (stale version or a rule blocks it), 422 invalid input.",
    auth=[BearerToken(), SessionCookie(csrf=True)],
    urls_namespace="api",
    parser=ShallowJsonParser(),
    # The interactive docs page loads its scripts from a CDN, which the CSP (and an offline
    # clinic network) forbids; the schema itself is served at /api/v1/openapi.json.
    docs_url=None,
)
api.add_router("/", accounts_router)
api.add_router("/patients", patients_router)
api.add_router("/", assessments_router)
api.add_router("/", evaluations_router)
api.add_router("/", consent_router)
api.add_router("/", notes_router)
api.add_router("/", treatment_router)
api.add_router("/", protocols_router)
api.add_router("/", titration_router)
api.add_router("/", sessions_router)
api.add_router("/", inventory_router)
api.add_router("/", courses_router)
api.add_router("/", pk_router)
api.add_router("/", reports_router)
api.add_router("/", billing_router)
api.add_router("/", appointments_router)
api.add_router("/", messaging_router)
api.add_router("/", sms_webhook)


def _detail(request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(request, 403, str(exc) or "Your role does not allow this.")


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return _detail(request, 409, str(exc))


@api.exception_handler(AnswersInvalid)
def _bad_answers(request: HttpRequest, exc: AnswersInvalid) -> HttpResponse:
    errors = [{"loc": ["body", "items", item], "msg": msg} for item, msg in exc.problems.items()]
    return _detail(request, 422, errors)


@api.exception_handler(DefinitionInvalid)
def _bad_definition(request: HttpRequest, exc: DefinitionInvalid) -> HttpResponse:
    errors = []
    for problem in exc.problems:
        where, _, msg = problem.partition(": ")
        errors.append({"loc": ["body", "definition", *where.split(".")], "msg": msg or problem})
    return _detail(request, 422, errors)


@api.exception_handler(InvalidInput)
def _invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _detail(request, 422, [{"loc": ["body", exc.field], "msg": exc.message}])


@api.exception_handler(DjangoValidationError)
def _django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"loc": ["body", field], "msg": " ".join(e.messages)}
            for field, errs in exc.error_dict.items()
            for e in errs
        ]
    else:
        errors = [{"loc": ["body"], "msg": m} for m in exc.messages]
    return _detail(request, 422, errors)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _detail(request, 413, "The request body is too large.")
