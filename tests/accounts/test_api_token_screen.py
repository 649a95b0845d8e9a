"""Staff make, see and revoke their API tokens on a screen; an admin revokes anyone's in the
clinic; nobody else's token can be touched, and patients have no such screen."""

from __future__ import annotations

import re

from django.test import Client

from ketamine_clinic.accounts.models import AccessLog, ApiToken
from tests.conftest import PASSWORD, World

URL = "/account/api-tokens/"


def _token(html: str) -> str:
    found = re.search(r'<code class="user-select-all[^"]*">([^<]+)</code>', html)
    assert found, "the new token is shown"
    return found[1]


def test_a_token_made_on_the_screen_works_once_shown_and_revoked_stops(world: World) -> None:
    nurse = world.client("nurse")
    wrong = nurse.post(URL, {"step": "new", "password": "not it"}).content.decode()
    assert "That is not your password." in wrong
    assert ApiToken.objects.count() == 0
    made = nurse.post(URL, {"step": "new", "password": PASSWORD}).content.decode()
    raw = _token(made)
    token = ApiToken.objects.get(user=world.users["nurse"])
    assert raw.startswith(token.prefix)
    assert raw not in nurse.get(URL).content.decode()  # shown once only
    api = Client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200
    assert me.json()["username"] == "nurse"
    listed = nurse.get(URL).content.decode()
    assert f'data-token="{token.prefix}"' in listed
    assert "in use" in listed
    revoked = nurse.post(URL, {"step": "revoke", "token": str(token.pk)}, follow=True)
    assert "revoked: it stops working at once" in revoked.content.decode()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    whats = set(AccessLog.objects.filter(username="nurse").values_list("what", flat=True))
    assert {f"api token {token.prefix}", f"api token {token.prefix} revoked"} <= whats


def test_an_admin_revokes_a_colleague_s_token_and_nobody_else_can(world: World) -> None:
    world.client("nurse").post(URL, {"step": "new", "password": PASSWORD})
    token = ApiToken.objects.get(user=world.users["nurse"])
    # A colleague who is not the admin, and a nurse of another clinic, cannot revoke it.
    for persona in ("prescriber", "other_clinic_nurse"):
        refused = world.client(persona).post(URL, {"step": "revoke", "token": str(token.pk)})
        assert refused.status_code == 404, persona
        assert f'data-token="{token.prefix}"' not in world.client(persona).get(URL).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    admin = world.client("admin")
    assert f'data-token="{token.prefix}"' in admin.get(URL).content.decode()
    admin.post(URL, {"step": "revoke", "token": str(token.pk)})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_patients_and_strangers_have_no_token_screen(world: World) -> None:
    assert world.client("patient").get(URL).status_code == 403
    assert Client().get(URL).status_code == 302  # to the login page


def test_a_malformed_token_id_is_no_token(world: World) -> None:
    assert world.client("admin").post(URL, {"step": "revoke", "token": "nope"}).status_code == 404
    assert world.client("admin").post(URL, {"step": "revoke"}).status_code == 404
