"""The login backend: Django's, but a logged-in user comes with their clinic memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from ketamine_clinic.accounts.models import User
from ketamine_clinic.server.compiled_sql import CompiledRead

MEMBERSHIPS_WITH_USER = CompiledRead(
    lambda key: User.active_memberships_query(key).select_related("user")
)


class ClinicBackend(ModelBackend):
    """Every screen asks for the user's memberships (the role decides what it shows), so
    they are read in the same query as the user, once per request."""

    def get_user(self, user_id: Any) -> User | None:
        memberships = MEMBERSHIPS_WITH_USER(user_id)
        if not memberships:  # no clinic (yet, or any more): the user alone
            found = super().get_user(user_id)
            return found if isinstance(found, User) else None
        user = memberships[0].user
        for membership in memberships:
            membership.user = user
        user.__dict__["active_memberships"] = memberships  # what the cached property holds
        return user if self.user_can_authenticate(user) else None


BACKEND = f"{ClinicBackend.__module__}.{ClinicBackend.__qualname__}"  # for login(backend=...)
