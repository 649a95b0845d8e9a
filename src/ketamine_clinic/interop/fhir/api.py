"""The FHIR R4 endpoints under /fhir/: Patient/{id}/$everything and the capability statement.

The same credentials as /api/v1/ (a bearer token or the browser session); the same access
rules (another clinic's patient is not found). Answers are application/fhir+json; a refusal
is an OperationOutcome.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from ketamine_clinic.accounts.api_auth import BearerToken, SessionCookie
from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.requests import api_actor, request_user
from ketamine_clinic.accounts.roles import Capability, Role
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.ids import parse_uuid
from ketamine_clinic.common.nesting import MAX_DEPTH, deeper_than
from ketamine_clinic.interop import bulk
from ketamine_clinic.interop.fhir import lookup, patient_view, profiles, search
from ketamine_clinic.interop.fhir.bundle import everything, patient_resources
from ketamine_clinic.interop.fhir.ingest import BundleRefused, import_bundle
from ketamine_clinic.interop.fhir.resources import patient_resource
from ketamine_clinic.interop.fhir.responses import base_url, fhir_response, outcome
from ketamine_clinic.interop.models import BulkExport
from ketamine_clinic.interop.smart import access as app_access
from ketamine_clinic.interop.smart.access import SmartToken
from ketamine_clinic.patients import queries as patient_queries
from ketamine_clinic.patients.access import (
    PatientAccess,
    clinics_where,
    the_clinic,
)

fhir_api = NinjaAPI(
    title="ketamine-clinic FHIR R4",
    version="4.0.1",
    auth=[BearerToken(), SmartToken(), SessionCookie(csrf=True)],
    urls_namespace="fhir",
    docs_url=None,
    openapi_url=None,
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


@fhir_api.exception_handler(ValidationError)
def _bad_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A malformed id or search parameter: 400, as FHIR's http page says for a bad request."""
    where = "; ".join(
        f"{'.'.join(str(part) for part in e.get('loc', []))}: {e.get('msg')}" for e in exc.errors
    )
    return outcome(400, "invalid", where)


@fhir_api.exception_handler(InvalidInput)
def _invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return outcome(400, "invalid", f"{exc.field}: {exc.message}")


def _shown(request: HttpRequest, access: PatientAccess) -> Callable[[dict[str, Any]], bool]:
    """What this reader may see of this patient's resources: a patient, what their portal
    shows (patient_view); an app, what its scopes name too."""
    own_record = access.role == Role.PATIENT

    def keep(resource: dict[str, Any]) -> bool:
        if own_record and not patient_view.shows(resource):
            return False
        return app_access.readable(request, resource["resourceType"], access.patient.pk)

    return keep


PATIENT_SEARCH = {
    "_id": "token", "_lastUpdated": "date", "name": "string", "family": "string",
    "given": "string", "birthdate": "date", "gender": "token", "identifier": "token",
}  # fmt: skip


@fhir_api.get("/Patient", include_in_schema=False)
def search_patients(request: HttpRequest) -> HttpResponse:
    """Patient search: `name`, `family`, `given`, `birthdate`, `gender`, `identifier` (the
    MRN), `_id` and `_lastUpdated`, paged by `_count` and `_offset`. Staff find the patients
    of their clinics; a patient finds their own record only, as in the portal."""
    user = request_user(request)
    params = request.GET
    page = search.paging(params)
    clinics = clinics_where(user, Capability.LIST_PATIENTS)
    found = patient_queries.in_clinics(clinics) if clinics else patient_queries.own_records(user)
    app = app_access.of(request)
    if app is not None:  # an app: its clinic, and its one patient if its scopes say so
        reach = app.grants.reach("Patient", "search")
        if reach is None:
            raise PermissionDenied("this app was not granted search of Patient")
        found = found.filter(clinic_id=app.clinic_id)
        if reach == "patient":
            found = found.filter(pk=app.grants.patient_id or "")
    used = {k: params.getlist(k) for k in PATIENT_SEARCH if k in params}
    for value in used.get("name", []):
        found = found.filter(Q(given_name__icontains=value) | Q(family_name__icontains=value))
    for value in used.get("family", []):
        found = found.filter(family_name__icontains=value)
    for value in used.get("given", []):
        found = found.filter(given_name__icontains=value)
    for value in used.get("gender", []):
        found = found.filter(sex=value)
    for value in used.get("identifier", []):
        found = found.filter(mrn=value.rsplit("|", 1)[-1])
    for value in used.get("_id", []):
        found = found.filter(pk__in=[k for k in map(parse_uuid, value.split(",")) if k])
    for name, field in (("birthdate", "birth_date"), ("_lastUpdated", "updated_at")):
        if name in used:
            found = found.filter(search.date_filter(field, name, used[name]))
    found = found.order_by("family_name", "given_name", "pk")
    total = found.count()
    rows = list(found.select_related("clinic")[page.offset : page.offset + page.count])
    for clinic_id in {p.clinic_id for p in rows}:
        record_access(app_access.actor(request), action="list",
                      what=app_access.what(request, "fhir Patient search"),
                      clinic=clinic_id, role=user.role_in(clinic_id))  # fmt: skip
    return fhir_response(
        search.searchset(
            base_url(request), "Patient", used, [patient_resource(p) for p in rows], total, page
        )
    )


@fhir_api.get("/Patient/{uuid:patient_id}", include_in_schema=False)
def read_patient(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """One Patient, to whoever may see its demographics (the patient themself included)."""
    access = app_access.patient(
        request, patient_id, Capability.VIEW_DEMOGRAPHICS, "Patient", "read"
    )
    app_access.record(request, access, "read", "fhir Patient")
    response = fhir_response(patient_resource(access.patient))
    response["Last-Modified"] = http_date(access.patient.updated_at.timestamp())
    response["ETag"] = f'W/"{access.patient.version}"'
    return response


@fhir_api.get("/Patient/{patient_id}/$everything", include_in_schema=False)
def patient_everything(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    access = app_access.everything(request, patient_id, bulk.TYPES)
    app_access.record(request, access, "export", "fhir $everything")
    return fhir_response(everything(access.patient, base_url(request), _shown(request, access)))


@fhir_api.get("/$export", include_in_schema=False)
def export_kick_off(request: HttpRequest) -> HttpResponse:
    """Bulk Data kick-off: every patient of the clinic (and what they reference) as NDJSON,
    written by the worker. Answers 202 with the status URL in Content-Location."""
    return _kick_off(request)


@fhir_api.get("/Patient/$export", include_in_schema=False)
def patient_export_kick_off(request: HttpRequest) -> HttpResponse:
    """Patient-level kick-off: the same export, every patient's data (the clinic's patients
    are all the patients there are to it)."""
    return _kick_off(request)


def _kick_off(request: HttpRequest) -> HttpResponse:
    """`_type` limits the resource types, `_since` to what changed from that instant."""
    app_access.refuse_apps(request, "a bulk export")
    user = request_user(request)
    clinic = the_clinic(user, None, Capability.EXPORT_DATA)
    if request.headers.get("Prefer", "").strip() != "respond-async":
        return outcome(400, "invalid", "a bulk export needs the header Prefer: respond-async")
    types = bulk.parse_types(request.GET.get("_type"))
    since = bulk.parse_since(request.GET.get("_since"))
    export = bulk.start(
        api_actor(request), clinic, types, request.build_absolute_uri(), since=since
    )
    response = HttpResponse(status=202)
    response["Content-Location"] = f"{base_url(request)}$export-status/{export.pk}"
    return response


def _export(request: HttpRequest, export_id: uuid.UUID) -> BulkExport:
    app_access.refuse_apps(request, "a bulk export")
    found = bulk.live(export_id)
    if found is None or found.clinic_id not in clinics_where(
        request_user(request), Capability.EXPORT_DATA
    ):
        raise Http404("no such export")
    return found


@fhir_api.get("/$export-status/{export_id}", include_in_schema=False)
def export_status(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    export = _export(request, export_id)
    if export.error:
        return outcome(500, "exception", export.error)
    if export.completed_at is None:
        response = HttpResponse(status=202)
        response["X-Progress"] = (
            f"writing: {export.patients} of {export.patients_total} patients ({export.percent}%)"
            if export.started_at
            else "queued for the worker"
        )
        response["Retry-After"] = "2"
        return response
    return HttpResponse(
        json.dumps(bulk.manifest(export, base_url(request))), content_type="application/json"
    )


@fhir_api.delete("/$export-status/{export_id}", include_in_schema=False)
def export_delete(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    bulk.delete(_export(request, export_id))
    return HttpResponse(status=202)


@fhir_api.get("/$export-file/{export_id}/{name}", include_in_schema=False)
def export_file(request: HttpRequest, export_id: uuid.UUID, name: str) -> FileResponse:
    export = _export(request, export_id)
    kind = name.removesuffix(".ndjson")
    if kind not in {f["type"] for f in export.files}:
        raise Http404("no such file in this export")
    path = bulk.folder(export) / f"{kind}.ndjson"
    return FileResponse(path.open("rb"), content_type="application/fhir+ndjson")


@fhir_api.post("/", include_in_schema=False)
def import_patients(request: HttpRequest) -> HttpResponse:
    """A Bundle of Patients and PHQ-9/GAD-7 QuestionnaireResponses from another system: all
    or nothing, every problem listed; sending it again creates nothing new."""
    app_access.refuse_apps(request, "importing")
    clinic = the_clinic(request_user(request), None, Capability.IMPORT_DATA)
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return outcome(400, "structure", "the body is not JSON")
    except RecursionError:
        body = None
        deep = True
    else:
        deep = deeper_than(body)
    if deep:
        return outcome(400, "structure", f"the body is nested more than {MAX_DEPTH} levels deep")
    try:
        done = import_bundle(api_actor(request), clinic, body)
    except BundleRefused as exc:
        return fhir_response(
            {
                "resourceType": "OperationOutcome",
                "issue": [
                    {"severity": "error", "code": "invalid", "diagnostics": problem}
                    for problem in exc.problems
                ],
            },
            400,
        )
    ignored = ", ".join(f"{n} {kind}" for kind, n in sorted(done.ignored.items())) or "none"
    return fhir_response(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "information",
                    "code": "informational",
                    "diagnostics": f"patients: {done.patients_created} created, "
                    f"{done.patients_found} already here; responses: {done.responses_created} "
                    f"created, {done.responses_found} already here; ignored: {ignored}",
                }
            ],
        }
    )


SEARCH_TYPES = {"patient": "reference", "code": "token", "category": "token", "date": "date",
                "_lastUpdated": "date"}  # fmt: skip


def _security(request: HttpRequest) -> dict[str, Any]:
    """SMART on FHIR, as App Launch 2.0.0 asks a CapabilityStatement to declare it (the
    oauth-uris extension; /fhir/.well-known/smart-configuration says the rest)."""
    uris = {"authorize": "authorize", "token": "token", "revoke": "revoke-token"}
    return {
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ]
            }
        ],
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [
                    {
                        "url": key,
                        "valueUri": request.build_absolute_uri(reverse(f"oauth2_provider:{name}")),
                    }
                    for key, name in uris.items()
                ],
            }
        ],
    }


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
                    "security": _security(request),
                    "operation": [
                        {
                            "name": "export",
                            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"
                            "export",
                        }
                    ],
                    "resource": [
                        {
                            "type": "Patient",
                            "supportedProfile": profiles.supported("Patient"),
                            "interaction": [{"code": "read"}, {"code": "search-type"}],
                            "searchParam": [
                                {"name": name, "type": kind}
                                for name, kind in PATIENT_SEARCH.items()
                            ],
                            "operation": [
                                {
                                    "name": "everything",
                                    "definition": "http://hl7.org/fhir/OperationDefinition/"
                                    "Patient-everything",
                                }
                            ],
                        },
                        *(
                            {
                                "type": kind,
                                **(
                                    {"supportedProfile": profiles.supported(kind)}
                                    if profiles.supported(kind)
                                    else {}
                                ),
                                "interaction": [{"code": "read"}, {"code": "search-type"}],
                                "searchParam": [
                                    {"name": name, "type": SEARCH_TYPES[name]}
                                    for name in sorted(search.SEARCHES[kind])
                                ],
                            }
                            for kind in search.WHEN
                        ),
                    ],
                }
            ],
        }
    )


# Last: a resource type in the address, after every fixed address above.
@fhir_api.get("/{kind}", include_in_schema=False)
def search_clinical(request: HttpRequest, kind: str) -> HttpResponse:
    """A patient's Observations, QuestionnaireResponses, Encounters, MedicationAdministrations,
    MedicationRequests, Conditions, Consents, AdverseEvents or CarePlans, by `patient` (as US
    Core searches are), then `code`, `category` and `date`; paged as Patient search is. The
    same rule as $everything: staff who may read the clinical record, in its clinic."""
    if kind not in search.WHEN:
        raise Http404(f"no resource type {kind} here")
    params = request.GET
    page = search.paging(params)
    patient_id = params.get("patient", params.get("subject", "")).removeprefix("Patient/")
    if not patient_id:
        raise InvalidInput("patient", f"a {kind} search names its patient (patient=...)")
    access = app_access.patient(request, patient_id, Capability.VIEW_CLINICAL, kind, "search")
    if access.role == Role.PATIENT and kind not in patient_view.TYPES:
        raise PermissionDenied(f"{kind} is read with your care team, not in the portal")
    shown = _shown(request, access)
    found = [
        r
        for r in patient_resources(access.patient)
        if r["resourceType"] == kind and shown(r) and search.matches(kind, r, params)
    ]
    app_access.record(request, access, "read", f"fhir {kind} search")
    used = {k: params.getlist(k) for k in sorted(search.SEARCHES[kind]) if k in params}
    rows = found[page.offset : page.offset + page.count]
    return fhir_response(search.searchset(base_url(request), kind, used, rows, len(found), page))


@fhir_api.get("/{kind}/{resource_id}", include_in_schema=False)
def read_clinical(request: HttpRequest, kind: str, resource_id: str) -> HttpResponse:
    """One of a patient's resources by its id, to those who may read the clinical record
    (another clinic's, or an unknown id, is not found)."""
    patient_id = lookup.patient_of(kind, resource_id)
    if patient_id is None:
        raise Http404(f"no {kind}/{resource_id} here")
    access = app_access.patient(request, patient_id, Capability.VIEW_CLINICAL, kind, "read")
    shown = _shown(request, access)
    found = next(
        (
            r
            for r in patient_resources(access.patient)
            if r["resourceType"] == kind and r["id"] == resource_id and shown(r)
        ),
        None,
    )
    if found is None:
        raise Http404(f"no {kind}/{resource_id} here")
    app_access.record(request, access, "read", f"fhir {kind}")
    return fhir_response(found)
