"""A SMART app, launched from a patient's chart in a real browser (STORIES.md: the prescriber
opens a partner's app on the patient in front of them). The app is a small web server this
test starts: it reads the server's SMART configuration, sends the browser to sign in with
PKCE, trades the code for a token and reads the Patient it was given."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.interop.smart import actions
from tests.browser.conftest import assert_accessible
from tests.conftest import World
from tests.factories.browser import log_in


class App(BaseHTTPRequestHandler):
    """The app's two pages: /launch (from the chart) and /callback (after sign-in)."""

    client_id = ""
    sessions: dict[str, dict[str, str]] = {}  # one app per test

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: str = "", location: str = "") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        me = f"http://{self.headers['Host']}"
        if parts.path == "/launch":
            iss = query["iss"]
            config = requests.get(f"{iss}/.well-known/smart-configuration", timeout=10).json()
            verifier = secrets.token_urlsafe(48)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            state = secrets.token_urlsafe(12)
            self.sessions[state] = {"iss": iss, "verifier": verifier,
                                    "token": config["token_endpoint"]}  # fmt: skip
            asked = {
                "response_type": "code", "client_id": self.client_id,
                "redirect_uri": f"{me}/callback", "scope": "launch patient/*.rs",
                "state": state, "aud": iss, "launch": query["launch"],
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            }  # fmt: skip
            self._send(302, location=f"{config['authorization_endpoint']}?{urlencode(asked)}")
        elif parts.path == "/callback":
            session = self.sessions.pop(query["state"])
            answer = requests.post(session["token"], data={
                "grant_type": "authorization_code", "code": query["code"],
                "redirect_uri": f"{me}/callback", "client_id": self.client_id,
                "code_verifier": session["verifier"]}, timeout=10).json()  # fmt: skip
            bearer = {"Authorization": f"Bearer {answer['access_token']}"}
            patient = requests.get(f"{session['iss']}/Patient/{answer['patient']}",
                                   headers=bearer, timeout=10).json()  # fmt: skip
            name = patient["name"][0]
            shown = f"{' '.join(name['given'])} {name['family']}"
            self._send(200, f"<!doctype html><html lang='en'><title>Mood Tracker</title>"
                            f"<h1>Opened for {html.escape(shown)}</h1>"
                            f"<p id='scope'>{html.escape(answer['scope'])}</p></html>")  # fmt: skip
        elif parts.path == "/favicon.ico":
            self._send(204)
        else:
            self._send(404)


@pytest.fixture
def app_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_prescriber_opens_an_app_on_the_chart_s_patient(
    live_server: Any, world: World, page: Page, app_server: str
) -> None:
    registered = actions.register_app(
        Actor(user=world.users["admin"], via="cli"), world.clinic, name="Mood Tracker",
        redirect_uris=[f"{app_server}/callback"], launch_url=f"{app_server}/launch",
    )  # fmt: skip
    App.client_id = registered.app.application.client_id
    log_in(page, live_server, "prescriber")
    page.goto(f"{live_server}/patients/{world.patient.pk}/")
    page.get_by_role("link", name="Apps").click()
    expect(page.get_by_role("heading", name="Open an app for")).to_be_visible()
    assert_accessible(page, "smart-apps")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Allow Mood Tracker to read records?")).to_be_visible()
    expect(page.locator("#smart-patient-fixed")).to_contain_text(world.patient.family_name)
    expect(page.locator("#smart-scopes")).to_contain_text(
        "Read and search all records of the patient it opens"
    )
    assert_accessible(page, "smart-authorize")
    page.get_by_role("button", name="Allow").click()
    given, family = world.patient.given_name, world.patient.family_name
    expect(page.get_by_role("heading", name=f"Opened for {given} {family}")).to_be_visible()
    expect(page.locator("#scope")).to_have_text("launch patient/*.rs")
