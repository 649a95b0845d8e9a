"""SMART App Launch on the screens: the sign-in page where a person allows an app (and, for
a standalone launch, chooses the patient), the chart's list of apps to open (an EHR launch),
and the server's SMART configuration.

SMART App Launch 2.0.0 (hl7.org/fhir/smart-app-launch/app-launch.html) is the source for
what is asked and answered here.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.forms import AllowForm
from oauth2_provider.views import AuthorizationView
from oauthlib.oauth2.rfc6749.errors import CustomOAuth2Error

from ketamine_clinic.accounts.audit import record_access
from ketamine_clinic.accounts.current import membership_with
from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.requests import request_user, web_actor
from ketamine_clinic.accounts.roles import Capability, Role, can
from ketamine_clinic.common.errors import InvalidInput
from ketamine_clinic.common.forms import put_error
from ketamine_clinic.interop.fhir.responses import base_url
from ketamine_clinic.interop.smart import actions, queries, scopes
from ketamine_clinic.interop.smart.forms import AppForm
from ketamine_clinic.interop.smart.validator import PATIENT
from ketamine_clinic.patients import queries as patient_queries
from ketamine_clinic.patients.access import (
    PatientAccess,
    get_patient_for_user,
    record_page_read,
)
from ketamine_clinic.patients.models import Patient


def fhir_base(request: HttpRequest) -> str:
    """The FHIR base as SMART writes it in `iss` and `aud`: without the trailing slash."""
    return base_url(request).rstrip("/")


class Refused(Exception):
    """An authorization this server will not give, with the OAuth error code to send."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class SmartAllowForm(AllowForm):
    launch = forms.CharField(required=False, widget=forms.HiddenInput)
    aud = forms.CharField(required=False, widget=forms.HiddenInput)
    patient = forms.CharField(required=False)


LAUNCH_GONE = "this launch is unknown, used or expired: open the app again from the chart"


def _choices(user: User, app: Any, asked: list[str], launch_id: str) -> list[Patient]:
    """The patients this authorization may be for: the launch's one, the person's own record,
    the clinic's patients to choose from; none when no patient is asked for."""
    membership = user.membership_in(app.clinic_id)
    if membership is None:
        raise Refused("access_denied", "you are not a member of the clinic this app belongs to")
    if scopes.LAUNCH in asked:
        launch = queries.live_launch(launch_id, app, user)
        if launch is None:
            raise Refused("invalid_request", LAUNCH_GONE)
        return [launch.patient]
    wants_patient = (
        scopes.LAUNCH_PATIENT in asked or scopes.Grants.of(" ".join(asked), None).needs_patient()
    )
    if not wants_patient:
        return []
    role = Role(membership.role)
    if role == Role.PATIENT:
        found = list(patient_queries.own_records(user).filter(clinic_id=app.clinic_id))
    elif can(role, Capability.VIEW_CLINICAL):
        found = list(
            patient_queries.in_clinics([app.clinic_id]).order_by("family_name", "given_name")
        )
    else:
        raise Refused("access_denied", "your role may not read patients' clinical records")
    if not found:
        raise Refused("access_denied", "there is no patient record to open")
    return found


def _record_shown(request: HttpRequest, app: Any, patients: list[Patient]) -> None:
    """The sign-in page names the patient (or lists the clinic's, to choose from): a read."""
    user = request_user(request)
    role = user.role_in(app.clinic_id)
    if role is None:  # not so: _choices asked for a membership
        return
    if len(patients) == 1:
        record_page_read(request, PatientAccess(patients[0], role), "smart sign-in")
    elif patients:
        record_access(web_actor(request), action="list", what="smart sign-in patient choice",
                      clinic=app.clinic_id, role=role)  # fmt: skip


class Authorize(AuthorizationView):
    """django-oauth-toolkit's authorization endpoint, with SMART's `aud` and launch context.
    The person always sees what the app asks for and allows it (no silent approval)."""

    template_name = "interop/smart_authorize.html"
    form_class = SmartAllowForm

    def get_initial(self) -> dict[str, Any]:
        return {
            **super().get_initial(),
            "launch": self.request.GET.get("launch", ""),
            "aud": self.request.GET.get("aud", ""),
        }

    def _refuse(self, problem: Refused, credentials: dict[str, Any], app: Any) -> HttpResponse:
        error = OAuthToolkitError(
            error=CustomOAuth2Error(
                error=problem.code, description=problem.description,
                state=credentials.get("state"),
            ),
            redirect_uri=credentials.get("redirect_uri"),
        )  # fmt: skip
        return self.error_response(error, app.application if app else None)

    def _check(self, aud: str, client_id: str) -> Any:
        app = queries.app_for_client(client_id)
        if app is None:
            raise Refused("unauthorized_client", "this app is not registered as a SMART app")
        # "The EHR SHALL confirm that the value of the aud parameter matches its FHIR base
        # URL" (App Launch 2.0.0): a token is not sent to be spent on another server.
        base = fhir_base(self.request)
        if aud.rstrip("/") != base:
            raise Refused("invalid_request", f"aud must be this FHIR server, {base}")
        return app

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            asked, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        app = None
        try:
            app = self._check(request.GET.get("aud", ""), credentials["client_id"])
            self.patients = _choices(
                request_user(request), app, asked, request.GET.get("launch", "")
            )
        except Refused as problem:
            return self._refuse(problem, credentials, app)
        _record_shown(request, app, self.patients)
        fresh = request.GET.copy()  # never approved silently from an earlier grant
        fresh.pop("approval_prompt", None)
        request.GET = fresh  # type: ignore[assignment]
        response = super().get(request, *args, **kwargs)
        # The form's answer is a redirect to the app: the page's CSP must let the form go there.
        response._csp_update = {"form-action": [actions.origin_of(credentials["redirect_uri"])]}
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["patients"] = getattr(self, "patients", [])
        return context

    def form_valid(self, form: SmartAllowForm) -> HttpResponse:
        data = form.cleaned_data
        credentials = {"state": data.get("state"), "redirect_uri": data.get("redirect_uri")}
        asked = scopes.granted(str(data.get("scope", "")).split())
        app = None
        try:
            app = self._check(data.get("aud", ""), data["client_id"])
            choices = _choices(request_user(self.request), app, asked, data.get("launch", ""))
            chosen = next((p for p in choices if str(p.pk) == data.get("patient")), None)
            if choices and chosen is None and len(choices) == 1:
                chosen = choices[0]
            if choices and chosen is None:
                raise Refused("invalid_request", "choose the patient the app opens")
            launched = data.get("allow") and scopes.LAUNCH in asked
            if launched and not actions.claim_launch(
                data.get("launch", ""), app, self.request.user
            ):
                raise Refused("invalid_request", LAUNCH_GONE)
        except Refused as problem:
            return self._refuse(problem, credentials, app)
        self.smart_patient = str(chosen.pk) if chosen else None
        return super().form_valid(form)

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        credentials = {**credentials, PATIENT: getattr(self, "smart_patient", None)}
        return super().create_authorization_response(request, scopes, credentials, allow)


@require_GET
def smart_configuration(request: HttpRequest) -> JsonResponse:
    """`/fhir/.well-known/smart-configuration` (App Launch 2.0.0, "SMART on FHIR Well-Known
    Uniform Resource Identifiers"): where an app signs in and what this server supports."""
    return JsonResponse(
        {
            "authorization_endpoint": request.build_absolute_uri(
                reverse("oauth2_provider:authorize")
            ),
            "token_endpoint": request.build_absolute_uri(reverse("oauth2_provider:token")),
            "revocation_endpoint": request.build_absolute_uri(
                reverse("oauth2_provider:revoke-token")
            ),
            "grant_types_supported": ["authorization_code"],
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": list(scopes.offered()),
            "capabilities": [
                "launch-ehr",
                "launch-standalone",
                "client-public",
                "client-confidential-symmetric",
                "context-ehr-patient",
                "context-standalone-patient",
                "context-banner",
                "permission-patient",
                "permission-user",
                "permission-offline",
                "permission-online",
                "permission-v1",
                "permission-v2",
                "authorize-post",
            ],
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def patient_apps(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The apps this patient's chart can open (an EHR launch): the app is sent the patient,
    and reads what the person who opened it may read."""
    access = get_patient_for_user(request_user(request), patient_id, Capability.VIEW_CLINICAL)
    apps = [a for a in queries.apps_of(access.patient.clinic_id) if a.launch_url]
    if request.method == "POST":
        app = next((a for a in apps if str(a.pk) == request.POST.get("app")), None)
        if app is None:
            raise Http404("no such app for this clinic")
        launch = actions.start_launch(web_actor(request), access, app)
        query = urlencode({"iss": fhir_base(request), "launch": str(launch.pk)})
        sep = "&" if urlsplit(app.launch_url).query else "?"
        return redirect(f"{app.launch_url}{sep}{query}")
    record_page_read(request, access, "smart apps")
    response = render(
        request, "interop/patient_apps.html", {"patient": access.patient, "apps": apps}
    )
    origins = sorted({actions.origin_of(a.launch_url) for a in apps})
    if origins:  # the launch answers with a redirect to the app, which the CSP must allow
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


@login_required
@require_http_methods(["GET", "POST"])
def connected_apps(request: HttpRequest) -> HttpResponse:
    """The apps this person has allowed, with what they may read; Disconnect revokes every
    token an app holds for them."""
    user = request_user(request)
    if request.method == "POST":
        mine = {str(c.application_id): c for c in queries.connected(user)}
        chosen = mine.get(request.POST.get("app", ""))
        if chosen is None:
            raise Http404("no such connected app")
        actions.disconnect(web_actor(request), chosen.application_id)
        messages.success(request, f"{chosen.name} is disconnected: it can no longer read.")
        return redirect("interop:connected_apps")
    described = scopes.offered()
    connections = queries.connected(user)
    rows = [(c, [described.get(s, s) for s in sorted(c.scopes)]) for c in connections]
    for patient in {p for c in connections for p in c.patients}:  # their names are on the page
        record_access(web_actor(request), action="read", what="connected apps",
                      clinic=patient.clinic_id, patient_id=patient.pk,
                      role=user.role_in(patient.clinic_id))  # fmt: skip
    return render(request, "interop/connected_apps.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def clinic_apps(request: HttpRequest) -> HttpResponse:
    """The clinic's SMART apps (owners): register one (its client id, and a secret shown
    once), see them, remove one (it reads nothing more)."""
    membership = membership_with(request, Capability.EXPORT_DATA)
    clinic = membership.clinic
    form = AppForm()
    registered = None
    if request.method == "POST" and request.POST.get("step") == "remove":
        app = next(
            (a for a in queries.apps_of(clinic.pk) if str(a.pk) == request.POST.get("app")), None
        )
        if app is None:
            raise Http404("no such app in this clinic")
        actions.remove_app(web_actor(request), app)
        messages.success(request, f"{app.application.name} is removed: it can no longer read.")
        return redirect("interop:smart_apps")
    if request.method == "POST":
        form = AppForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registered = actions.register_app(
                    web_actor(request), clinic, name=data["name"],
                    redirect_uris=form.addresses(), launch_url=data["launch_url"],
                    confidential=data["confidential"],
                )  # fmt: skip
            except InvalidInput as exc:
                put_error(form, exc)
            else:
                form = AppForm()
    context = {
        "apps": queries.apps_of(clinic.pk),
        "form": form,
        "registered": registered,
        "fhir_base": fhir_base(request),
    }
    return render(request, "interop/smart_apps.html", context)
