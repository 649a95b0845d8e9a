"""Record ids as they arrive from a form or an address: a malformed one is no record (a
404 or a refusal), never a database error."""

from __future__ import annotations

import uuid
from typing import Any


def parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
