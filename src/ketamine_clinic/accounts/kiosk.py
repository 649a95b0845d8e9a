"""Kiosk mode: a clinic tablet handed to a patient shows only their document or form.

While a session is in kiosk mode every other page redirects to the patient's task, so a
patient cannot reach staff screens; the tablet returns to staff only with the PIN (or, with
no PIN set, the password) of the person it must go back to. The state lives in the session
of the staff member who handed the tablet over."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

KIOSK_KEY = "kc_kiosk"
OPEN_IN_KIOSK = ("/kiosk/", "/static/")


def start(request: HttpRequest, **state: Any) -> None:
    """`home`: the patient's page; `paths`: what else they may open; `back`: where staff
    return; `staff`: whose PIN ends it; `witness` and `pending` for a consent."""
    request.session[KIOSK_KEY] = {"fails": 0, **state}


def state(request: HttpRequest) -> dict[str, Any] | None:
    found = request.session.get(KIOSK_KEY)
    return found if isinstance(found, dict) else None


def update(request: HttpRequest, **changes: Any) -> None:
    current = state(request) or {}
    request.session[KIOSK_KEY] = {**current, **changes}


def end(request: HttpRequest) -> None:
    request.session.pop(KIOSK_KEY, None)


def allows(kiosk: dict[str, Any], path: str) -> bool:
    return path.startswith(OPEN_IN_KIOSK) or any(path.startswith(p) for p in kiosk["paths"])
