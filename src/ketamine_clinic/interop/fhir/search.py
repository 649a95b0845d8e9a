"""FHIR search as a client library speaks it (FHIR R4 search.html): parameters with prefixes
for dates (`ge2026-01-01`), a page size (`_count`) and paging links in the searchset Bundle.
A malformed value is refused naming its parameter; a parameter this server does not know is
left out, and the Bundle's `self` link shows only those it used, as the spec asks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from ketamine_clinic.common.api_contract import MAX_OFFSET
from ketamine_clinic.common.days import day_start, days_span
from ketamine_clinic.common.errors import InvalidInput

PAGE = 20  # entries a page unless _count says otherwise
MAX_PAGE = 100
_PREFIXED = re.compile(
    r"^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)$"
)


@dataclass(frozen=True)
class Paging:
    count: int
    offset: int


def paging(params: QueryDict) -> Paging:
    return Paging(
        _whole(params, "_count", PAGE, 0, MAX_PAGE), _whole(params, "_offset", 0, 0, MAX_OFFSET)
    )


def _whole(params: QueryDict, name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(name, f"must be a whole number from {low} to {high}")
    return int(text)


def _conditions(name: str, values: list[str]) -> list[tuple[str, Any, Any]]:
    """Each prefixed value (`ge2026-01-01`) as (prefix, start, end) of the span it names;
    a malformed value or an unsupported prefix is refused naming the parameter."""
    found = []
    for value in values:
        match = _PREFIXED.match(value)
        if match is None:
            raise InvalidInput(name, "must be a date (YYYY-MM-DD) or time, with an optional "
                               "prefix such as ge or lt")  # fmt: skip
        prefix, text = match.group(1) or "eq", match.group(2)
        if prefix in ("ne", "sa", "eb"):
            raise InvalidInput(name, f"the prefix {prefix} is not supported here")
        found.append((prefix, *_span(text, name)))
    return found


def date_filter(field: str, name: str, values: list[str]) -> Q:
    """`birthdate=1980-05-17`, `_lastUpdated=ge2026-01-01`: each value a condition, all
    of them together. A date without a time covers its whole day on the clinic's clock."""
    found = Q()
    for prefix, start, end in _conditions(name, values):
        found &= {
            "eq": Q(**{f"{field}__gte": start, f"{field}__lt": end}),
            "gt": Q(**{f"{field}__gte": end}),
            "ge": Q(**{f"{field}__gte": start}),
            "lt": Q(**{f"{field}__lt": start}),
            "le": Q(**{f"{field}__lt": end}),
        }[prefix]
    return found


def _span(text: str, name: str) -> tuple[Any, Any]:
    try:
        if "T" not in text:
            day = date.fromisoformat(text)
            return days_span(day, day)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(name, f"{text} is not a real date or time") from None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment, moment + timedelta(seconds=1)


def searchset(
    base_url: str, kind: str, used: dict[str, list[str]], resources: list[dict[str, Any]],
    total: int, page: Paging,
) -> dict[str, Any]:  # fmt: skip
    """The search's answer: the page's entries, the total, and self, first, next, previous
    and last links that carry the same parameters."""

    def link(relation: str, offset: int) -> dict[str, str]:
        query = urlencode([*((k, v) for k, vs in used.items() for v in vs),
                           ("_count", str(page.count)), ("_offset", str(offset))])  # fmt: skip
        return {"relation": relation, "url": f"{base_url}{kind}?{query}"}

    last = max(0, (total - 1) // page.count * page.count) if page.count else 0
    links = [link("self", page.offset), link("first", 0)]
    if page.offset > 0 and page.count:
        links.append(link("previous", max(0, page.offset - page.count)))
    if page.count and page.offset + page.count < total:
        links.append(link("next", page.offset + page.count))
    links.append(link("last", last))
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {"fullUrl": f"{base_url}{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }


# Where each resource type keeps the date its `date` parameter searches, and the concepts its
# `code` parameter matches (FHIR R4 search parameters of each resource).
WHEN = {
    "Observation": ("effectiveDateTime",),
    "Condition": ("onsetDateTime", "recordedDate"),
    "AllergyIntolerance": ("recordedDate",),
    "QuestionnaireResponse": ("authored",),
    "Encounter": ("period.start",),
    "MedicationAdministration": ("effectiveDateTime",),
    "MedicationRequest": ("authoredOn",),
    "Consent": ("dateTime",),
    "AdverseEvent": ("date",),
    "CarePlan": ("period.start",),
}
CODED = {
    "Observation": "code",
    "Condition": "code",
    "MedicationAdministration": "medicationCodeableConcept",
    "MedicationRequest": "medicationCodeableConcept",
}
SEARCHES = {kind: {"patient", "date", "_lastUpdated", *({"code"} if kind in CODED else set())}
            | ({"category"} if kind == "Observation" else set()) for kind in WHEN}  # fmt: skip


def _at(resource: dict[str, Any], path: str) -> Any:
    value: Any = resource
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _moment(text: str) -> datetime:
    if "T" not in text:
        return day_start(date.fromisoformat(text))
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _codes(concept: Any) -> set[str]:
    codings = concept.get("coding") or [] if isinstance(concept, dict) else []
    return {c.get("code", "") for c in codings} | {
        f"{c.get('system', '')}|{c.get('code', '')}" for c in codings
    }


def codes_in(*concepts: Any) -> set[str]:
    """Every code of these CodeableConcepts, alone and as `system|code`: what a token search
    matches, and what the profiles and the patient's share read a category by."""
    return set().union(*(_codes(c) for c in concepts))


def matches(kind: str, resource: dict[str, Any], params: QueryDict) -> bool:
    """Whether one of a patient's resources meets the search (codes: any of the comma-
    separated values; dates: every condition)."""
    for value in params.getlist("code"):
        if not _codes(resource.get(CODED[kind])) & set(value.split(",")):
            return False
    for value in params.getlist("category"):
        if not codes_in(*(resource.get("category") or [])) & set(value.split(",")):
            return False
    dates = params.getlist("date")
    if dates:
        text = next((t for t in (_at(resource, p) for p in WHEN[kind]) if t), None)
        if text is None or not meets(_moment(str(text)), "date", dates):
            return False
    updated = params.getlist("_lastUpdated")
    if updated:
        text = (resource.get("meta") or {}).get("lastUpdated")
        if text is None or not meets(_moment(str(text)), "_lastUpdated", updated):
            return False
    return True


def meets(moment: datetime, name: str, values: list[str]) -> bool:
    """Whether a moment meets every prefixed date condition, as `date_filter` reads them."""
    return all(
        {"eq": start <= moment < end, "gt": moment >= end, "ge": moment >= start,
         "lt": moment < start, "le": moment < end}[prefix]
        for prefix, start, end in _conditions(name, values)
    )  # fmt: skip
