"""The copy crawl: every screen each demo person reaches is read as a person reads it (the
visible text, not the markup) for the slips that make software look careless: "1 days",
"at 40 min at 40 min", an internal key such as "iv-racemic-standard" or "checked_in"."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from ketamine_clinic.clinical.protocols import LIBRARY
from ketamine_clinic.demo.clinic import seed
from ketamine_clinic.patients.models import Patient
from ketamine_clinic.treatment.models import ClinicProtocol
from tests.security.crawler import crawl, logged_in

pytestmark = pytest.mark.once  # long: one database only (Makefile)

# Machine text shown on purpose (an audit row's object, a settings key, a token) is set in
# <code>, so a reader knows it for what it is; a text box holds what was typed into it.
# Everything else is read as prose.
HIDDEN = {"script", "style", "template", "svg", "code", "textarea"}


class _Text(HTMLParser):
    """Each run of visible text on its own: a table's cells are not read as one sentence."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = []
        self._hidden = 0
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # translate="no" marks a block of codes on purpose (a data dictionary's values).
        if tag in HIDDEN or ("translate", "no") in attrs:
            self._open.append(tag)
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.runs.append(text)


def visible_text(body: str) -> list[str]:
    parser = _Text()
    parser.feed(body)
    return parser.runs


NOUNS = (
    "day|week|month|year|hour|minute|second|patient|alert|session|dose|message|item|device|"
    "appointment|result|record|score|questionnaire|time|course|container|reply|booking|visit"
)
ONE_PLURAL = re.compile(rf"(?<![\d.,])\b1 (?:{NOUNS})s\b")
MANY_SINGULAR = re.compile(rf"(?<![\d.,])\b(?:0|[2-9]|\d\d+) (?:{NOUNS})\b(?![-'\u2019])")
HEDGED = re.compile(r"\w\(s\)")
DOUBLED = re.compile(r"\b((?:\w+\W+){0,3}?[A-Za-z]\w*)[\s(]+\1\b", re.IGNORECASE)
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
ISO_DATE = re.compile(r"(?<![\w/-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b")


def slips(text: str, keys: set[str]) -> list[str]:
    """What a reader would stop at in one run of visible text."""
    found = [f"plural: {m[0]}" for m in ONE_PLURAL.finditer(text)]
    found += [f"singular: {m[0]}" for m in MANY_SINGULAR.finditer(text)]
    found += [f"hedged plural: {m[0]}" for m in HEDGED.finditer(text)]
    found += [f"doubled: {m[0]}" for m in DOUBLED.finditer(text)]
    found += [f"internal key: {m[0]}" for m in SNAKE.finditer(text)]
    found += [f"machine date: {m[0]}" for m in ISO_DATE.finditer(text)]
    found += [f"internal key: {k}" for k in keys if re.search(rf"\b{re.escape(k)}\b", text)]
    return found


def test_the_checks_catch_the_slips_the_issue_names() -> None:
    keys = {"iv-racemic-standard"}
    assert slips("due in 1 days", keys) == ["plural: 1 days"]
    assert slips("3 patient", keys) == ["singular: 3 patient"]
    assert slips("1 day(s)", keys) == ["hedged plural: y(s)"]
    assert slips("at 40 min at 40 min", keys) == ["doubled: at 40 min at 40 min"]
    assert slips("Protocol iv-racemic-standard", keys) == ["internal key: iv-racemic-standard"]
    assert slips("State: checked_in", keys) == ["internal key: checked_in"]
    assert slips("Ketamine 50 mg/mL (50 mg/mL)", keys) == ["doubled: 50 mg/mL (50 mg/mL"]
    assert slips("Weight 70 kg measured 2026-10-06.", keys) == ["machine date: 2026-10-06"]
    clean = (
        "1 patient, 2 patients, due in 1 day, 0.5 mg/kg, a 40-minute infusion at 40 min, "
        "measured 6 Oct 2026, NDC 0409-2051-05"
    )
    assert slips("weeks 5-8 (4, up to 1 a week); week 9 on", keys) == []
    assert slips(clean, keys) == []


@pytest.mark.django_db
def test_no_screen_shows_a_slip() -> None:
    seed()
    keys = set(LIBRARY) | set(ClinicProtocol.objects.values_list("key", flat=True))
    found: dict[str, set[str]] = {}
    pages = 0
    for username in ("admin", "drrivera", "sam", "jo", "meichen"):
        for page in crawl(logged_in(username)):
            pages += 1
            for run in visible_text(page.body):
                for slip in slips(run, keys):
                    found.setdefault(slip, set()).add(page.path)
    # The richest chart, section by section (the crawl reads only a few charts of each kind).
    chen = Patient.objects.get(family_name="Chen", given_name="Mei")
    prescriber = logged_in("drrivera")
    chart = prescriber.get(f"/patients/{chen.pk}/").content.decode()
    read = [f"/patients/{chen.pk}/", *re.findall(r'hx-get="([^"]+)"', chart)]
    bodies = {address: prescriber.get(address).content.decode() for address in read}
    # Her course pages and their what-if, which the crawl may not reach either.
    courses = sorted(set(re.findall(r'href="(/courses/[0-9a-f-]{36}/)"', "".join(bodies.values()))))
    assert courses
    for address in [*courses, *(f"{c}what-if/" for c in courses)]:
        bodies[address] = prescriber.get(address).content.decode()
    for address, body in bodies.items():
        for run in visible_text(body):
            for slip in slips(run, keys):
                found.setdefault(slip, set()).add(address)
    assert pages > 100
    report = [f"{slip} on {sorted(paths)[:3]}" for slip, paths in sorted(found.items())]
    assert report == [], "\n".join(report)
