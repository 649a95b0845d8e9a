"""Who is asking, for the API and the screens alike."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ketamine_clinic.accounts.audit import Actor
from ketamine_clinic.accounts.models import User


def request_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("log in first")
    return user


def api_actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, "api")


def web_actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, "web")
