"""`{{ user|person }}`: a staff member's name as every screen and record shows it."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """Full name, else username; a dash where nobody is recorded, rather than a broken page."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username
