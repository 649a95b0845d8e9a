"""SQL injection attempts in every query parameter the screens read, on every screen, and in
the patient search: no server error, no rows that do not match, no table harmed."""

from __future__ import annotations

import pytest

from ketamine_clinic.accounts.models import User
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.patients.models import Patient
from tests.conftest import ApiClient
from tests.security.crawler import crawl, logged_in

pytestmark = pytest.mark.once  # long: one database only (Makefile)

ATTEMPTS = (
    "' OR '1'='1",
    "1; DROP TABLE patients_patient; --",
    "%' UNION SELECT username, password FROM accounts_user --",
    "\\'; SELECT pg_sleep(5); --",
)
# Every parameter a screen reads from its address (grep request.GET in the source).
PARAMS = ("q", "next", "page", "format", "empty", "product", "scope", "dose_mg", "duration_min",
          "context", "base", "addendum_to", "start", "end", "include_entered_in_error")  # fmt: skip


@pytest.mark.django_db
def test_injection_in_every_parameter_of_every_screen() -> None:
    seed()
    patients = Patient.objects.count()
    for username in ("drrivera", "admin"):
        client = logged_in(username)
        paths = [page.path.split("?")[0] for page in crawl(client)]
        for path in paths:
            for attempt in ATTEMPTS:
                response = client.get(path, dict.fromkeys(PARAMS, attempt))
                assert response.status_code < 500, (path, attempt)
    assert Patient.objects.count() == patients


@pytest.mark.django_db
def test_the_patient_search_finds_nothing_for_an_injection() -> None:
    seed()
    client = logged_in("drrivera")
    api = ApiClient(User.objects.get(username="drrivera"))
    for attempt in ATTEMPTS:
        page = client.get("/patients/", {"q": attempt})
        assert page.status_code == 200
        assert "Chen" not in page.content.decode()
        found = api.get("/patients", data={"q": attempt})
        assert found.status_code == 200
        assert found.json()["items"] == [] if isinstance(found.json(), dict) else found.json() == []
    assert "Chen" in client.get("/patients/", {"q": "Chen"}).content.decode()
