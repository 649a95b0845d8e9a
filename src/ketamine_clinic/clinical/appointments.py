"""Appointments: how long each kind holds its place, and whether a booking keeps the clinic's
capacity rules (opening hours, one patient per place, staff on duty, patients per nurse, a
prescriber on site). Pure: the booking actions gather the facts and call `problems`.

Sources, each a clinic-configurable default unless the label fixes it:
- Esketamine: at least 2 hours' observation after the dose (Spravato US label 2.x and REMS,
  CLINICAL.md 1-2), a floor no setting lowers; up to three devices 5 minutes apart; the REMS
  requires a prescriber on site (CLINICAL.md 2).
- IV racemic ketamine: the protocol's infusion time (40 minutes, Sanacora 2017) plus recovery
  until discharge criteria are met (ASKP3 Standards of Practice 2020: monitored until
  discharge criteria are met; no fixed time is published, STORIES.md 2 discharges at about
  75 minutes from the start, so 45 minutes of recovery is the default).
- Patients per nurse at once: no published ratio exists (ASKP3 2020 asks for continuous
  monitoring by trained staff); the default of 2 is a software default the medical director
  sets for the clinic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any, Literal, NamedTuple, TypeVar

from ketamine_clinic.clinical.protocols import (
    ESKETAMINE_DEVICE_INTERVAL_MIN,
    ESKETAMINE_DEVICE_MG,
    Phase,
)
from ketamine_clinic.clinical.rule_error import RuleError
from ketamine_clinic.clinical.scheduling import MAX_SEARCH_DAYS

T = TypeVar("T")

Kind = Literal[
    "evaluation", "dosing", "preparation", "integration", "psychotherapy", "follow_up",
    "telehealth",
]  # fmt: skip
KINDS: tuple[Kind, ...] = (
    "evaluation",
    "dosing",
    "preparation",
    "integration",
    "psychotherapy",
    "follow_up",
    "telehealth",
)
# Software defaults for the kinds that are not a dose, in minutes (a clinic changes them).
DEFAULT_MINUTES: dict[str, int] = {
    "evaluation": 60,
    "preparation": 60,
    "integration": 50,
    "psychotherapy": 50,
    "follow_up": 30,
    "telehealth": 30,
}
CHECK_IN_MIN = 15  # arrival, pre-dose checks and vitals before any dose (software default)
IV_RECOVERY_MIN = 45  # after the infusion ends (ASKP3 2020; STORIES.md 2), default
IM_RECOVERY_MIN = 60  # after an IM injection, monitored as after an infusion, default
ORAL_RECOVERY_MIN = 90  # oral and sublingual: slower onset, longer watch, default
IV_INFUSION_MIN = 40  # when the protocol names none (Sanacora 2017)
ESKETAMINE_OBSERVATION_MIN = 120  # Spravato label and REMS: at least 2 hours; a floor
# Up to three devices (84 mg), each followed by the label's 5 minutes' rest.
ESKETAMINE_DEVICES_MIN = 84 // ESKETAMINE_DEVICE_MG * ESKETAMINE_DEVICE_INTERVAL_MIN
LATE_CANCEL_HOURS = 24  # software default: a cancellation within a day is late
PATIENTS_PER_NURSE = 2  # software default: no published ratio (module docstring)
PATIENTS_PER_NURSE_BOUNDS = (1, 6)
# Products whose dosing needs a prescriber at the location for its whole length.
PRESCRIBER_ON_SITE = frozenset({"esketamine_nasal"})  # Spravato REMS (CLINICAL.md 2)
SLOT_STEP_MIN = 15  # free slots start on the quarter hour
MINUTES_BOUNDS = (10, 480)
CLINICIANS = frozenset({"nurse", "prescriber"})
# Staff kinds an appointment needs: a dose needs a nurse; the talking kinds a clinician.
NEEDS: dict[str, str] = {
    "dosing": "nurse",
    "evaluation": "prescriber",
    "follow_up": "prescriber",
    "telehealth": "clinician",
    "preparation": "clinician",
    "integration": "clinician",
    "psychotherapy": "clinician",
}


class AppointmentError(RuleError):
    """A booking that breaks a rule; `field` names what to change."""


@dataclass(frozen=True)
class Settings:
    """A clinic's appointment settings, checked against the floors above."""

    minutes: dict[str, int] = field(default_factory=dict)  # non-dose kinds
    check_in_min: int = CHECK_IN_MIN
    iv_recovery_min: int = IV_RECOVERY_MIN
    im_recovery_min: int = IM_RECOVERY_MIN
    oral_recovery_min: int = ORAL_RECOVERY_MIN
    esketamine_observation_min: int = ESKETAMINE_OBSERVATION_MIN
    patients_per_nurse: int = PATIENTS_PER_NURSE
    late_cancel_hours: int = LATE_CANCEL_HOURS
    prescriber_on_site: frozenset[str] = PRESCRIBER_ON_SITE

    def __post_init__(self) -> None:
        low, high = MINUTES_BOUNDS
        for kind, minutes in self.minutes.items():
            if kind not in DEFAULT_MINUTES:
                raise AppointmentError(f"minutes.{kind}", "not a kind of appointment")
            if not low <= minutes <= high:
                raise AppointmentError(f"minutes.{kind}", f"must be {low} to {high} minutes")
        if self.esketamine_observation_min < ESKETAMINE_OBSERVATION_MIN:
            raise AppointmentError(
                "esketamine_observation_min", "the label requires at least 120 minutes"
            )
        for name in ("check_in_min", "iv_recovery_min", "im_recovery_min", "oral_recovery_min"):
            if not 0 <= getattr(self, name) <= MINUTES_BOUNDS[1]:
                raise AppointmentError(name, f"must be 0 to {MINUTES_BOUNDS[1]} minutes")
        if not 0 <= self.late_cancel_hours <= 168:
            raise AppointmentError("late_cancel_hours", "must be 0 to 168 hours")
        low, high = PATIENTS_PER_NURSE_BOUNDS
        if not low <= self.patients_per_nurse <= high:
            raise AppointmentError("patients_per_nurse", f"must be {low} to {high}")
        if not self.prescriber_on_site >= PRESCRIBER_ON_SITE:
            raise AppointmentError(
                "prescriber_on_site", "esketamine always needs a prescriber on site (REMS)"
            )


def settings_from(stored: Mapping[str, Any] | None) -> Settings:
    """The clinic's stored settings (JSON) as `Settings`; an unknown key is an error."""
    values: dict[str, Any] = dict(stored or {})
    if "prescriber_on_site" in values:
        values["prescriber_on_site"] = frozenset(values["prescriber_on_site"])
    try:
        return Settings(**values)
    except TypeError as exc:
        raise AppointmentError("appointment_settings", str(exc)) from None


def dosing_minutes(product: str, infusion_min: float | None, s: Settings) -> int:
    """How long a dose holds its chair: check-in, the dose itself, and the watch after it."""
    if product == "esketamine_nasal":
        return s.check_in_min + ESKETAMINE_DEVICES_MIN + s.esketamine_observation_min
    if product == "iv_racemic":
        return s.check_in_min + round(infusion_min or IV_INFUSION_MIN) + s.iv_recovery_min
    if product == "im_racemic":
        return s.check_in_min + 5 + s.im_recovery_min
    return s.check_in_min + 5 + s.oral_recovery_min


def minutes_for(
    kind: str, s: Settings, product: str = "", infusion_min: float | None = None
) -> int:
    if kind == "dosing":
        return dosing_minutes(product, infusion_min, s)
    if kind not in DEFAULT_MINUTES:
        raise AppointmentError("kind", f"not a kind of appointment ({', '.join(KINDS)})")
    return s.minutes.get(kind, DEFAULT_MINUTES[kind])


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, other: Span) -> bool:
        return other.start <= self.start and self.end <= other.end


Hours = dict[int, list[tuple[time, time]]]  # weekday (0 = Monday) -> open intervals


def open_spans(hours: Hours, day: date, tz: tzinfo) -> list[Span]:
    """The intervals a place or a person is available on that day, as aware datetimes."""
    return [
        Span(datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz))
        for a, b in hours.get(day.weekday(), [])
    ]


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours_from_text(text: str, field_name: str = "hours") -> dict[str, list[list[str]]]:
    """Weekly hours as people write them, one day a line: "mon 08:00-12:00, 13:00-18:00".
    A day not written is closed. Returns the stored form (see `parse_hours`), checked."""
    stored: dict[str, list[list[str]]] = {}
    for n, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip():
            continue
        day, _, spans = line.strip().partition(" ")
        if day.lower()[:3] not in DAY_NAMES:
            raise AppointmentError(field_name, f"line {n}: start with a day (mon ... sun)")
        pairs = []
        for span in spans.split(","):
            opens, _, closes = span.strip().partition("-")
            pairs.append([opens.strip(), closes.strip()])
        stored[str(DAY_NAMES.index(day.lower()[:3]))] = pairs
    parse_hours(stored, field_name)
    return stored


def hours_to_text(stored: dict[str, list[list[str]]] | None) -> str:
    return "\n".join(
        f"{DAY_NAMES[int(day)]} " + ", ".join(f"{a}-{b}" for a, b in spans)
        for day, spans in sorted((stored or {}).items())
    )


def parse_hours(stored: dict[str, list[list[str]]] | None, field_name: str = "hours") -> Hours:
    """Weekly hours as stored ({"0": [["08:00", "18:00"]], ...}, 0 = Monday), checked: each
    interval opens before it closes and none overlaps another on the same day."""
    hours: Hours = {}
    for key, intervals in (stored or {}).items():
        if not key.isdigit() or not 0 <= int(key) <= 6:
            raise AppointmentError(field_name, f"{key!r} is not a weekday (0 = Monday to 6)")
        parsed = []
        for pair in intervals:
            try:
                opens, closes = (time.fromisoformat(part) for part in pair)
            except (TypeError, ValueError):
                raise AppointmentError(field_name, f"{pair!r} is not two times HH:MM") from None
            if closes <= opens:
                raise AppointmentError(field_name, f"{pair[0]}-{pair[1]} closes before it opens")
            parsed.append((opens, closes))
        parsed.sort()
        for (_, end), (start, _) in pairwise(parsed):
            if start < end:
                raise AppointmentError(field_name, f"intervals overlap on weekday {key}")
        hours[int(key)] = parsed
    return hours


def covered(span: Span, available: list[Span]) -> bool:
    return any(span.within(a) for a in available)


@dataclass(frozen=True)
class Booked:
    """An appointment already on the books, as the rules see it."""

    span: Span
    place: object
    patient: object
    staff: frozenset[object]
    kind: str


@dataclass(frozen=True)
class Staff:
    id: object
    role: str  # "nurse", "prescriber", or another clinical role
    hours: list[Span]  # when they work at this location on the day
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or str(self.id)


@dataclass(frozen=True)
class Request:
    span: Span
    kind: str
    product: str
    place: object
    place_hours: list[Span]
    patient: object
    staff: tuple[Staff, ...]
    now: datetime


class Problem(NamedTuple):
    """A rule the booking breaks: the field to change and why."""

    field: str
    message: str


def problems(r: Request, booked: list[Booked], on_site: list[Staff], s: Settings) -> list[Problem]:
    """Every reason the booking breaks a rule (empty: it may be booked). `booked` is what is
    on the books around it at this location (not the one being moved); `on_site` everyone
    working there that day."""
    found: list[Problem] = []
    if r.span.start < r.now:
        found.append(Problem("starts_at", "the time is in the past"))
    if r.span.end <= r.span.start:
        found.append(Problem("minutes", "the appointment ends before it starts"))
    if not covered(r.span, r.place_hours):
        found.append(Problem("starts_at", "the place is closed for part of that time"))
    overlapping = [b for b in booked if b.span.overlaps(r.span)]
    if any(b.place == r.place for b in overlapping):
        found.append(Problem("place", "the place is already booked then"))
    if any(b.patient == r.patient for b in overlapping):
        found.append(Problem("starts_at", "the patient has another appointment then"))
    need = NEEDS.get(r.kind, "clinician")
    if not any(fits(member.role, need) for member in r.staff):
        found.append(Problem("staff", f"needs a {need} assigned"))
    for member in r.staff:
        if not covered(r.span, member.hours):
            found.append(Problem("staff", f"{member.label} is not working for all of that time"))
        theirs = [b for b in overlapping if member.id in b.staff]
        watching = r.kind == "dosing" and member.role == "nurse"
        if watching and all(b.kind == "dosing" for b in theirs):
            at_once = _most_at_once(r.span, theirs) + 1
            if at_once > s.patients_per_nurse:
                found.append(
                    Problem(
                        "staff",
                        f"{member.label} would watch {at_once} patients at once "
                        f"(the clinic allows {s.patients_per_nurse})",
                    )
                )
        elif theirs:
            found.append(Problem("staff", f"{member.label} is busy then"))
    if r.kind == "dosing" and r.product in s.prescriber_on_site:
        present = [m for m in on_site if m.role == "prescriber" and covered(r.span, m.hours)]
        if not present:
            found.append(
                Problem(
                    "staff",
                    "no prescriber is on site for all of that time (this product needs one)",
                )
            )
    return list(dict.fromkeys(found))


def fits(role: str, need: str) -> bool:
    """Whether staff in this role can give what the appointment needs."""
    return role in CLINICIANS if need == "clinician" else role == need


def _most_at_once(span: Span, others: list[Booked]) -> int:
    """The most of `others` overlapping each other at any moment within `span`."""
    edges = sorted(
        [(max(b.span.start, span.start), 1) for b in others]
        + [(min(b.span.end, span.end), -1) for b in others]
    )
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


def free_starts(
    day_spans: list[Span], busy: list[Span], minutes: int, step_min: int = SLOT_STEP_MIN
) -> list[datetime]:
    """Every start on the step within the open spans where `minutes` fit without touching a
    busy span: the free slots a screen offers."""
    length = timedelta(minutes=minutes)
    starts = []
    for open_span in day_spans:
        at = _round_up(open_span.start, step_min)
        while at + length <= open_span.end:
            candidate = Span(at, at + length)
            if not any(candidate.overlaps(b) for b in busy):
                starts.append(at)
            at += timedelta(minutes=step_min)
    return starts


def _round_up(at: datetime, step_min: int) -> datetime:
    minute = at.replace(second=0, microsecond=0)
    if minute < at:
        minute += timedelta(minutes=1)
    return minute + timedelta(minutes=(-minute.minute) % step_min)


def _week(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def place_series(
    phases: tuple[Phase, ...],
    start: date,
    find: Callable[[date, datetime | None], tuple[datetime, T] | None],
    after: datetime | None = None,
) -> list[tuple[str, datetime, T]]:
    """Book a course's series into real slots: for each session the first day from `start`
    that keeps the phase's rules (sessions a week, hours apart from the one before) on which
    `find` offers a slot at or after the earliest allowed time. `after` is the last dose
    before the series. Phases "as needed" are not booked ahead."""
    placed: list[tuple[str, datetime, T]] = []
    previous = after
    day = start
    for phase in phases:
        if phase.sessions is None:
            break
        gap = timedelta(hours=phase.min_hours_apart)
        mine: list[date] = []
        while len(mine) < phase.sessions:
            if (day - start).days > MAX_SEARCH_DAYS:
                raise AppointmentError(
                    "start", "the series cannot be booked within a year: free more slots"
                )
            earliest = previous + gap if previous is not None else None
            week_full = sum(1 for d in mine if _week(d) == _week(day)) >= phase.per_week
            too_soon = earliest is not None and day < earliest.date()
            found = None if week_full or too_soon else find(day, earliest)
            if found is not None:
                at, slot = found
                placed.append((phase.name, at, slot))
                mine.append(day)
                previous = at
            day += timedelta(days=1)
    return placed


def spacing_problems(others: list[datetime], new_start: datetime, phase: Phase) -> list[str]:
    """Why moving a session to `new_start` breaks its phase's spacing against the course's
    other sessions (empty: it keeps them)."""
    found = []
    gap = timedelta(hours=phase.min_hours_apart)
    for other in others:
        if abs(new_start - other) < gap:
            found.append(
                f"less than {phase.min_hours_apart} hours from the session at "
                f"{other.isoformat(timespec='minutes')}"
            )
    in_week = sum(1 for o in others if _week(o.date()) == _week(new_start.date()))
    if in_week >= phase.per_week:
        found.append(f"that week already has {phase.per_week} sessions of this phase")
    return found
