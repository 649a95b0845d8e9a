"""SMART App Launch: an app signs its user in (standalone, or opened from a chart), gets a
token limited to what it asked for and to its patient, and reads FHIR with it. Every way in
that should be refused is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import AccessLog
from ketamine_clinic.interop.models import SmartApp, SmartLaunch
from ketamine_clinic.interop.smart import scopes
from ketamine_clinic.interop.smart.actions import remove_app
from tests.conftest import World, register
from tests.factories.outcomes import phq9
from tests.factories.smart import (
    AUD,
    LAUNCH_URL,
    REDIRECT,
    Pkce,
    allow,
    asking,
    fhir,
    redirected,
    register_app,
    sign_in,
    token,
)


@pytest.fixture
def app(world: World) -> SmartApp:
    return register_app(world).app


def ehr_launch(world: World, persona: str, app: SmartApp, patient: Any) -> tuple[Client, str]:
    """The chart's Apps page opens the app: the browser goes to its launch URL with iss and
    launch, as App Launch 2.0.0 says."""
    client = world.client(persona)
    page = client.get(f"/patients/{patient.pk}/apps/")
    assert page.status_code == 200
    assert b"Mood Tracker" in page.content
    assert "form-action 'self' https://app.example.org" in page["Content-Security-Policy"]
    sent = client.post(f"/patients/{patient.pk}/apps/", {"app": str(app.pk)})
    assert sent.status_code == 302
    assert sent["Location"].startswith(LAUNCH_URL + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(sent["Location"]).query).items()}
    assert query["iss"] == AUD
    return client, query["launch"]


# --- discovery ---------------------------------------------------------------------------


def test_the_server_says_where_apps_sign_in(client: Client) -> None:
    config = client.get("/fhir/.well-known/smart-configuration").json()
    assert config["authorization_endpoint"] == "http://testserver/oauth/authorize/"
    assert config["token_endpoint"] == "http://testserver/oauth/token/"
    assert config["code_challenge_methods_supported"] == ["S256"]
    # RFC 8414 metadata names the issuer every authorization response carries (RFC 9207).
    oauth = client.get("/.well-known/oauth-authorization-server").json()
    assert oauth["authorization_endpoint"] == config["authorization_endpoint"]
    assert oauth["code_challenge_methods_supported"] == ["S256"]
    wanted = {"launch-ehr", "launch-standalone", "context-ehr-patient",
              "context-standalone-patient", "permission-patient"}  # fmt: skip
    assert wanted <= set(config["capabilities"])
    assert "patient/Observation.rs" in config["scopes_supported"]
    statement = client.get("/fhir/metadata").json()
    security = statement["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    uris = {e["url"]: e["valueUri"] for e in security["extension"][0]["extension"]}
    assert uris["authorize"] == config["authorization_endpoint"]
    assert uris["token"] == config["token_endpoint"]


# --- scopes, the pure part ----------------------------------------------------------------


@pytest.mark.pure
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("patient/Observation.rs", scopes.Scope("patient", "Observation", True, True)),
        ("patient/Observation.read", scopes.Scope("patient", "Observation", True, True)),
        ("user/*.r", scopes.Scope("user", "*", True, False)),
        ("user/Patient.s", scopes.Scope("user", "Patient", False, True)),
        ("patient/Observation.cruds", None),  # writing is not offered
        ("patient/Observation.write", None),
        ("system/*.read", None),  # backend services are not offered
        ("patient/Practitioner.read", None),  # not a type this server searches
        ("launch/patient", None),  # a context scope, not a resource scope
    ],
)
def test_scopes_are_read_as_app_launch_2_0_writes_them(text: str, expected: Any) -> None:
    assert scopes.parse(text) == expected


@pytest.mark.pure
def test_a_grant_reaches_its_patient_only_through_patient_scopes() -> None:
    grants = scopes.Grants.of("patient/Observation.rs user/Patient.r launch/patient", "p1")
    assert grants.reach("Observation", "search") == "patient"
    assert grants.reach("Patient", "read") == "user"
    assert grants.reach("Patient", "search") is None  # .r does not search
    assert grants.reach("Condition", "read") is None
    # patient/ scopes without a patient in context reach nothing
    assert scopes.Grants.of("patient/*.read", None).reach("Observation", "read") is None
    assert scopes.granted(["openid", "fhirUser", "patient/*.read", "patient/*.read"]) == [
        "patient/*.read"
    ]


# --- standalone launch --------------------------------------------------------------------


def test_a_patient_s_own_app_gets_a_token_for_them_alone(world: World, app: SmartApp) -> None:
    phq9(world, world.own_patient, 10, 12)
    phq9(world, world.patient, 10, 20)
    client = world.client("patient")
    pkce = Pkce.new()
    back = allow(client, asking(app, "launch/patient patient/*.read openid fhirUser", pkce))
    assert back["iss"] == "http://testserver"  # RFC 9207
    answer = token(app, back["code"], pkce).json()
    own = str(world.own_patient.pk)
    assert answer["patient"] == own
    assert answer["scope"] == "launch/patient patient/*.read"  # what was granted
    assert "refresh_token" not in answer  # none asked for (offline_access)
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 3600
    access = answer["access_token"]
    mine = fhir(access, f"Observation?patient={own}&code=44261-6")
    assert mine.status_code == 200
    assert mine.json()["total"] == 1
    assert fhir(access, f"Patient/{own}").json()["id"] == own
    found = fhir(access, "Patient").json()
    assert [e["resource"]["id"] for e in found["entry"]] == [own]
    other = fhir(access, f"Observation?patient={world.patient.pk}")
    assert other.status_code == 403
    assert other.json()["resourceType"] == "OperationOutcome"
    assert fhir(access, f"Patient/{world.patient.pk}").status_code == 403
    assert fhir(access, f"Patient/{world.patient.pk}/$everything").status_code == 403
    logged = AccessLog.objects.filter(patient_id=world.own_patient.pk, via="app").first()
    assert logged is not None
    assert "by app Mood Tracker" in logged.what


def test_staff_choose_the_patient_of_a_standalone_launch(world: World, app: SmartApp) -> None:
    client = world.client("prescriber")
    params = asking(app, "launch/patient patient/Observation.rs offline_access", Pkce.new())
    page = client.get("/oauth/authorize/", params)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Patient the app opens" in body
    assert world.patient.family_name in body
    assert world.other_patient.family_name not in body  # another clinic's
    assert "form-action 'self' https://app.example.org" in page["Content-Security-Policy"]
    # Allowed without choosing: refused back to the app, nothing granted.
    back = redirected(client.post("/oauth/authorize/", {**params, "allow": "Allow"}))
    assert back["error"] == "invalid_request"
    assert "choose the patient" in back["error_description"]
    # A patient of another clinic cannot be slipped in.
    slipped = redirected(
        client.post(
            "/oauth/authorize/",
            {**params, "allow": "Allow", "patient": str(world.other_patient.pk)},
        )
    )
    assert slipped["error"] == "invalid_request"
    answer = sign_in(client, app, "launch/patient patient/Observation.rs offline_access",
                     patient=world.patient.pk)  # fmt: skip
    assert answer["patient"] == str(world.patient.pk)
    assert (
        fhir(answer["access_token"], f"Observation?patient={world.patient.pk}").status_code == 200
    )
    refused = fhir(answer["access_token"], f"Condition?patient={world.patient.pk}")
    assert refused.status_code == 403
    assert "Condition" in refused.json()["issue"][0]["diagnostics"]
    # A refresh keeps the patient, and rotates the refresh token.
    refreshed = Client().post("/oauth/token/", {
        "grant_type": "refresh_token", "refresh_token": answer["refresh_token"],
        "client_id": app.application.client_id})  # fmt: skip
    assert refreshed.status_code == 200, refreshed.content
    again = refreshed.json()
    assert again["patient"] == str(world.patient.pk)
    assert again["refresh_token"] != answer["refresh_token"]
    assert fhir(again["access_token"], f"Observation?patient={world.patient.pk}").status_code == 200
    assert fhir(answer["access_token"], "Patient").status_code == 401  # the old one is gone


def test_user_scopes_read_what_the_person_may(world: World, app: SmartApp) -> None:
    answer = sign_in(world.client("prescriber"), app, "user/Patient.rs user/Observation.rs")
    assert "patient" not in answer
    access = answer["access_token"]
    ids = {e["resource"]["id"] for e in fhir(access, "Patient").json()["entry"]}
    assert ids == {str(world.patient.pk), str(world.own_patient.pk)}
    assert fhir(access, f"Observation?patient={world.patient.pk}").status_code == 200
    assert fhir(access, f"Patient/{world.other_patient.pk}").status_code == 404
    assert fhir(access, f"Condition?patient={world.patient.pk}").status_code == 403


def test_everything_holds_only_the_types_granted(world: World, app: SmartApp) -> None:
    phq9(world, world.own_patient, 10, 12)
    answer = sign_in(world.client("patient"), app, "launch/patient patient/Observation.rs")
    bundle = fhir(answer["access_token"], f"Patient/{world.own_patient.pk}/$everything").json()
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {"Observation"}
    assert bundle["total"] == len(bundle["entry"])
    # The type the app was not granted is not read, even by id.
    assert fhir(answer["access_token"], f"Patient/{world.own_patient.pk}").status_code == 403


# --- EHR launch ---------------------------------------------------------------------------


def test_an_app_opened_from_a_chart_gets_that_patient(world: World, app: SmartApp) -> None:
    client, launch = ehr_launch(world, "prescriber", app, world.patient)
    answer = sign_in(client, app, "launch patient/*.rs", launch=launch)
    assert answer["patient"] == str(world.patient.pk)
    assert answer["need_patient_banner"] is True
    assert fhir(answer["access_token"], f"Patient/{world.patient.pk}").status_code == 200
    assert fhir(answer["access_token"], f"Patient/{world.own_patient.pk}").status_code == 403
    assert SmartLaunch.objects.get(pk=launch).used_at is not None
    # A launch is traded once.
    params = asking(app, "launch patient/*.rs", Pkce.new(), launch=launch)
    back = redirected(client.get("/oauth/authorize/", params))
    assert back["error"] == "invalid_request"
    assert "launch" in back["error_description"]
    opened = AccessLog.objects.filter(patient_id=world.patient.pk, what__contains="opened")
    assert opened.exists()


def test_a_launch_is_the_person_s_who_opened_it(world: World, app: SmartApp) -> None:
    _, launch = ehr_launch(world, "prescriber", app, world.patient)
    params = asking(app, "launch patient/*.rs", Pkce.new(), launch=launch)
    back = redirected(world.client("nurse").get("/oauth/authorize/", params))
    assert back["error"] == "invalid_request"


def test_the_chart_s_apps_page_is_refused_as_the_chart_is(world: World, app: SmartApp) -> None:
    assert world.client("front_desk").get(f"/patients/{world.patient.pk}/apps/").status_code == 403
    other = world.client("other_clinic_nurse").get(f"/patients/{world.patient.pk}/apps/")
    assert other.status_code == 404
    assert Client().get(f"/patients/{world.patient.pk}/apps/").status_code == 302  # log in
    nurse = world.client("nurse")
    assert nurse.post(f"/patients/{world.patient.pk}/apps/", {"app": "999"}).status_code == 404
    standalone = register_app(world, launch_url="", redirect="https://other.example.org/cb").app
    page = nurse.get(f"/patients/{world.patient.pk}/apps/").content.decode()
    assert standalone.application.name in page or page.count("Mood Tracker") == 1
    sent = nurse.post(f"/patients/{world.patient.pk}/apps/", {"app": str(standalone.pk)})
    assert sent.status_code == 404  # an app without a launch address is not opened from a chart


# --- refusals -----------------------------------------------------------------------------


def test_the_sign_in_page_needs_a_login(app: SmartApp) -> None:
    params = asking(app, "launch/patient patient/*.read", Pkce.new())
    page = Client().get("/oauth/authorize/", params)
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


def test_aud_must_be_this_server(world: World, app: SmartApp) -> None:
    client = world.client("patient")
    for aud in ("https://evil.example.com/fhir", ""):
        params = asking(app, "launch/patient patient/*.read", Pkce.new(), aud=aud)
        back = redirected(client.get("/oauth/authorize/", params))
        assert back["error"] == "invalid_request"
        assert "aud" in back["error_description"]


def test_pkce_is_required_and_checked(world: World, app: SmartApp) -> None:
    client = world.client("patient")
    params = asking(app, "launch/patient patient/*.read", Pkce.new())
    del params["code_challenge"], params["code_challenge_method"]
    back = redirected(client.get("/oauth/authorize/", params))
    assert back["error"] == "invalid_request"
    pkce = Pkce.new()
    back = allow(client, asking(app, "launch/patient patient/*.read", pkce))
    wrong = token(app, back["code"], Pkce.new())  # another verifier
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    plain = asking(app, "launch/patient patient/*.read", pkce, code_challenge_method="plain",
                   code_challenge=pkce.verifier)  # fmt: skip
    page = client.get("/oauth/authorize/", plain)
    refused = page.status_code == 302 and "error=" in page["Location"]
    if page.status_code == 200:  # refused when the code would be made
        refused = (
            "error=" in client.post("/oauth/authorize/", {**plain, "allow": "Allow"})["Location"]
        )
    assert refused


def test_a_code_is_used_once(world: World, app: SmartApp) -> None:
    pkce = Pkce.new()
    back = allow(world.client("patient"), asking(app, "launch/patient patient/*.read", pkce))
    assert token(app, back["code"], pkce).status_code == 200
    assert token(app, back["code"], pkce).status_code == 400


def test_nothing_offered_nothing_granted(world: World, app: SmartApp) -> None:
    params = asking(app, "openid patient/Observation.write", Pkce.new())
    back = redirected(world.client("patient").get("/oauth/authorize/", params))
    assert back["error"] == "invalid_scope"


def test_the_front_desk_cannot_open_a_patient_s_clinical_record(
    world: World, app: SmartApp
) -> None:
    params = asking(app, "launch/patient patient/*.read", Pkce.new())
    back = redirected(world.client("front_desk").get("/oauth/authorize/", params))
    assert back["error"] == "access_denied"


def test_another_clinic_s_staff_cannot_use_the_app(world: World, app: SmartApp) -> None:
    params = asking(app, "user/*.read", Pkce.new())
    back = redirected(world.client("other_clinic_nurse").get("/oauth/authorize/", params))
    assert back["error"] == "access_denied"


def test_denying_grants_nothing(world: World, app: SmartApp) -> None:
    client = world.client("patient")
    params = asking(app, "launch/patient patient/*.read", Pkce.new())
    assert client.get("/oauth/authorize/", params).status_code == 200
    back = redirected(client.post("/oauth/authorize/", params))  # no "allow"
    assert back["error"] == "access_denied"
    assert "code" not in back


def test_an_app_token_opens_only_the_fhir_reads(world: World, app: SmartApp) -> None:
    access = sign_in(world.client("admin"), app, "user/*.read")["access_token"]
    bearer = {"Authorization": f"Bearer {access}"}
    assert Client().get("/api/v1/patients", headers=bearer).status_code == 401
    kick = Client().get("/fhir/$export", headers={**bearer, "Prefer": "respond-async"})
    assert kick.status_code == 403
    assert "SMART apps" in kick.json()["issue"][0]["diagnostics"]
    imported = Client().post("/fhir/", "{}", content_type="application/fhir+json", headers=bearer)
    assert imported.status_code == 403
    assert fhir("not-a-token", "Patient").status_code == 401


def test_a_revoked_token_reads_nothing(world: World, app: SmartApp) -> None:
    access = sign_in(world.client("patient"), app, "launch/patient patient/*.read")["access_token"]
    assert fhir(access, "Patient").status_code == 200
    revoked = Client().post("/oauth/revoke/", {
        "token": access, "client_id": app.application.client_id})  # fmt: skip
    assert revoked.status_code == 200
    assert fhir(access, "Patient").status_code == 401


def test_a_confidential_app_proves_its_secret(world: World) -> None:
    registered = register_app(world, confidential=True)
    app, secret = registered.app, registered.client_secret
    assert secret
    pkce = Pkce.new()
    back = allow(world.client("patient"), asking(app, "launch/patient patient/*.read", pkce))
    assert token(app, back["code"], pkce, secret="wrong").status_code == 401
    assert token(app, back["code"], pkce, secret=secret).status_code == 200


# --- registering an app -------------------------------------------------------------------


def test_the_owner_registers_an_app_from_the_command_line(world: World, capsys: Any) -> None:
    call_command("smart_app", "Clinic A", "--as", "admin", "--name", "Sleep Diary",
                 "--redirect-uri", REDIRECT, "--confidential")  # fmt: skip
    out = capsys.readouterr().out
    assert "client_id: " in out
    assert "client_secret: " in out
    app = SmartApp.objects.get(application__name="Sleep Diary")
    assert app.clinic == world.clinic
    assert AccessLog.objects.filter(what="SMART app Sleep Diary registered").exists()
    with pytest.raises(CommandError, match="--redirect-uri: must be a full web address"):
        call_command("smart_app", "Clinic A", "--as", "admin", "--name", "X",
                     "--redirect-uri", "app.example.org/cb")  # fmt: skip
    with pytest.raises(CommandError, match="--as"):
        call_command("smart_app", "Clinic A", "--as", "nurse", "--name", "X",
                     "--redirect-uri", REDIRECT)  # fmt: skip


def test_a_new_patient_appears_for_the_standalone_choice(world: World, app: SmartApp) -> None:
    newcomer = register(world.users["front_desk"], world.clinic, "Nia", "Zed")
    page = world.client("nurse").get(
        "/oauth/authorize/", asking(app, "launch/patient patient/*.read", Pkce.new())
    )
    assert str(newcomer.pk) in page.content.decode()


# --- connected apps -----------------------------------------------------------------------


def test_a_person_sees_and_disconnects_their_apps(world: World, app: SmartApp) -> None:
    client = world.client("patient")
    answer = sign_in(client, app, "launch/patient patient/Observation.rs offline_access")
    observations = f"Observation?patient={world.own_patient.pk}"
    page = client.get("/account/apps/")
    body = page.content.decode()
    assert "Mood Tracker" in body
    assert "Read and search measurements and scores of the patient it opens" in body
    assert world.own_patient.full_name in body
    assert "until you disconnect it" in body  # it holds a refresh token
    others = world.client("nurse").get("/account/apps/").content.decode()
    assert "Mood Tracker" not in others  # another person's connection is theirs
    # Another person cannot disconnect it for them.
    refused = world.client("nurse").post("/account/apps/", {"app": str(app.application.pk)})
    assert refused.status_code == 404
    assert fhir(answer["access_token"], observations).status_code == 200
    done = client.post("/account/apps/", {"app": str(app.application.pk)}, follow=True)
    assert "Mood Tracker is disconnected" in done.content.decode()
    assert fhir(answer["access_token"], observations).status_code == 401
    again = Client().post("/oauth/token/", {
        "grant_type": "refresh_token", "refresh_token": answer["refresh_token"],
        "client_id": app.application.client_id})  # fmt: skip
    assert again.status_code == 400
    assert "No app can read records for you" in client.get("/account/apps/").content.decode()
    assert AccessLog.objects.filter(what="SMART app Mood Tracker disconnected").exists()
    assert Client().get("/account/apps/").status_code == 302  # log in first


def test_the_owner_registers_and_removes_apps_on_screen(world: World) -> None:
    assert world.client("nurse").get("/clinic/apps/").status_code == 403
    assert world.client("prescriber").get("/clinic/apps/").status_code == 403
    owner = world.client("admin")
    bad = owner.post("/clinic/apps/", {"name": "Diary", "redirect_uris": "app.example.org/cb"})
    assert "must be a full web address" in bad.content.decode()
    public = owner.post("/clinic/apps/", {"name": "Diary", "redirect_uris": REDIRECT})
    body = public.content.decode()
    app = SmartApp.objects.get(application__name="Diary")
    assert app.application.client_id in body
    assert "Client secret" not in body  # a public app keeps none
    server = owner.post("/clinic/apps/", {"name": "Registry", "redirect_uris": REDIRECT,
                                           "confidential": "on"})  # fmt: skip
    assert "Client secret" in server.content.decode()
    assert "Registry" in owner.get("/clinic/apps/").content.decode()
    # A token it holds stops working when it is removed; another clinic cannot remove it.
    access = sign_in(world.client("patient"), app, "launch/patient patient/*.read")["access_token"]
    assert fhir(access, "Patient").status_code == 200
    other = Client()
    other.force_login(world.users["other_clinic_nurse"])
    assert other.post("/clinic/apps/", {"step": "remove", "app": str(app.pk)}).status_code == 403
    gone = owner.post("/clinic/apps/", {"step": "remove", "app": str(app.pk)}, follow=True)
    assert "Diary is removed" in gone.content.decode()
    assert fhir(access, "Patient").status_code == 401
    assert not SmartApp.objects.filter(pk=app.pk).exists()
    assert AccessLog.objects.filter(what="SMART app Diary removed").exists()
    assert owner.post("/clinic/apps/", {"step": "remove", "app": "999"}).status_code == 404


# --- a browser app's cross-origin reads (CORS) --------------------------------------------

APP_ORIGIN = "https://app.example.org"


def test_a_browser_app_reads_fhir_from_its_own_origin(world: World, app: SmartApp) -> None:
    preflight = Client().options(
        "/fhir/Patient", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET",
                                  "Access-Control-Request-Headers": "authorization"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight  # a token, never cookies
    pkce = Pkce.new()
    back = allow(world.client("patient"), asking(app, "launch/patient patient/*.read", pkce))
    traded = Client().post(
        "/oauth/token/",
        {"grant_type": "authorization_code", "code": back["code"], "redirect_uri": REDIRECT,
         "client_id": app.application.client_id, "code_verifier": pkce.verifier},
        headers={"Origin": APP_ORIGIN},
    )  # fmt: skip
    assert traded.status_code == 200
    assert traded["Access-Control-Allow-Origin"] == APP_ORIGIN
    read = Client().get(
        "/fhir/Patient", headers={"Origin": APP_ORIGIN,
                                  "Authorization": f"Bearer {traded.json()['access_token']}"},
    )  # fmt: skip
    assert read.status_code == 200
    assert read["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_no_other_origin_and_no_other_address(world: World, app: SmartApp) -> None:
    stranger = Client().options(
        "/fhir/Patient", headers={"Origin": "https://evil.example.com",
                                  "Access-Control-Request-Method": "GET"},
    )  # fmt: skip
    assert "Access-Control-Allow-Origin" not in stranger
    api = Client().options(
        "/api/v1/patients", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in api
    page = Client().get("/login/", headers={"Origin": APP_ORIGIN})
    assert "Access-Control-Allow-Origin" not in page
    # Once removed, its origin reads nothing more across origins.
    remove_app(Actor(user=world.users["admin"], via="cli"), app)
    after = Client().options(
        "/fhir/Patient", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in after
