from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from oauth2_provider import views as oauth_views

from ketamine_clinic.accounts import views as account_views
from ketamine_clinic.api import api
from ketamine_clinic.clinic import views as clinic_views
from ketamine_clinic.interop.fhir.api import fhir_api
from ketamine_clinic.interop.smart import views as smart_views


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: the process answers. It reads no data and needs no login."""
    return HttpResponse("ok", content_type="text/plain")


oauth_patterns = [
    path("oauth/authorize/", smart_views.Authorize.as_view(), name="authorize"),
    path("oauth/token/", oauth_views.TokenView.as_view(), name="token"),
    path("oauth/revoke/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    # RFC 8414: its issuer is the `iss` that every authorization response carries (RFC 9207).
    path(
        ".well-known/oauth-authorization-server",
        oauth_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]

urlpatterns = [
    path("", clinic_views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("account/two-factor/", account_views.two_factor, name="two_factor"),
    path("account/pin/", account_views.chair_pin, name="chair_pin"),
    path("account/api-tokens/", account_views.api_tokens, name="api_tokens"),
    path("lock/", account_views.unlock, name="lock"),
    path("clinic/choose/", account_views.choose_clinic, name="choose_clinic"),
    path("audit/", account_views.audit_log, name="audit_log"),
    path("clinic/settings/", account_views.settings_page, name="clinic_settings"),
    path("patients/", include("ketamine_clinic.patients.urls")),
    path("", include("ketamine_clinic.clinic.urls")),
    path("", include("ketamine_clinic.assessments.urls")),
    path("", include("ketamine_clinic.evaluations.urls")),
    path("", include("ketamine_clinic.treatment.urls")),
    path("", include("ketamine_clinic.treatment_sessions.urls")),
    path("", include("ketamine_clinic.appointments.urls")),
    path("", include("ketamine_clinic.messaging.urls")),
    path("", include("ketamine_clinic.inventory.urls")),
    path("", include("ketamine_clinic.interop.urls")),
    path("api/v1/", api.urls),
    # SMART App Launch: the OAuth 2.0 server (django-oauth-toolkit, under its own names) and
    # the FHIR server's SMART configuration.
    path("", include((oauth_patterns, "oauth2_provider"))),
    path(
        "fhir/.well-known/smart-configuration",
        smart_views.smart_configuration,
        name="smart_configuration",
    ),
    path("fhir/", fhir_api.urls),
    path("webhooks/email/", include("anymail.urls")),
    path("healthz", healthz, name="healthz"),
]

handler400 = "ketamine_clinic.server.unavailable.handler400"
handler500 = "ketamine_clinic.server.unavailable.handler500"
