"""Record ids as they arrive from a form or an address: a malformed one is no record (a
404 or a refusal), never a database error."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404


def parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def uuid_or_404(value: Any, what: str) -> uuid.UUID:
    """The id, or "no such <what>" (404) when it cannot be one."""
    key = parse_uuid(value)
    if key is None:
        raise Http404(f"no such {what}")
    return key
