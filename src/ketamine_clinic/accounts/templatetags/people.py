"""`{{ user|person }}`, `{{ role|role_label }}`: people and roles as every screen names them."""

from __future__ import annotations

from typing import Any

from django import template

from ketamine_clinic.accounts.roles import Role

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """Full name, else username; a dash where nobody is recorded, rather than a broken page."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def role_label(role: str) -> str:
    """ "Front desk", not "front_desk"; an unknown value (a retired role in an old log row) as
    it was recorded, since the log is never rewritten."""
    try:
        return Role(role).label
    except ValueError:
        return role
