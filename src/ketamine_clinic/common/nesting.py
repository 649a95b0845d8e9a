"""How deep a parsed JSON document goes, measured without recursion: a body nested thousands
of levels deep is refused with a 400 before any code walks it recursively (and fails)."""

from __future__ import annotations

from typing import Any

# FHIR resources go about a dozen levels deep (a Bundle's entry, its QuestionnaireResponse,
# an item group, its item, an answer, a coding); 64 leaves room for any real one.
MAX_DEPTH = 64


def deeper_than(value: Any, limit: int = MAX_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False
