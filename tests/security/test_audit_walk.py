"""Every screen that shows a patient leaves an access-log row: the crawler reads every page
each role reaches, and any page naming one of the clinic's patients must have been logged."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from ketamine_clinic.accounts.models import AccessLog, Clinic, User
from ketamine_clinic.demo.clinic import MAIN_CLINIC, seed
from ketamine_clinic.patients.models import Patient
from tests.security.crawler import crawl, logged_in

pytestmark = pytest.mark.once  # long: one database only (Makefile)


class CountingClient(Client):
    """Notes how many access-log rows each GET wrote."""

    def __init__(self) -> None:
        super().__init__()
        self.logged: dict[str, int] = {}

    def get(self, path: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        before = AccessLog.objects.count()
        response = super().get(path, *args, **kwargs)
        self.logged[path] = AccessLog.objects.count() - before
        return response


@pytest.mark.django_db
def test_every_page_showing_a_patient_is_in_the_access_log() -> None:
    seed()
    clinic = Clinic.objects.get(name=MAIN_CLINIC)
    names = [f"{p.family_name}, {p.given_name}" for p in Patient.objects.filter(clinic=clinic)]
    names += [f"{p.given_name} {p.family_name}" for p in Patient.objects.filter(clinic=clinic)]
    checked = 0
    unlogged: set[str] = set()
    for username in ("admin", "drrivera", "sam", "jo", "meichen"):
        user = User.objects.get(username=username)
        client = logged_in(username, client=CountingClient())
        # Every page names the person logged in (a patient is one of the names): not a read.
        own = {f"{user.last_name}, {user.first_name}", f"{user.first_name} {user.last_name}"}
        for page in crawl(client):
            if any(name in page.body for name in names if name not in own):
                checked += 1
                if client.logged[page.path] < 1:
                    unlogged.add(f"{username} {resolve(urlsplit(page.path).path).route}")
    assert not unlogged, "\n".join(sorted(unlogged))
    assert checked >= 30
