"""When messages go: the clinic's reminder schedule, quiet hours, and retries with backoff.
Plain Python, no Django: the planner and the sender call these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

REMINDER_HOURS = (48, 2)  # software default: two days and two hours before
QUIET = (time(21, 0), time(8, 0))  # software default: nothing between 21:00 and 08:00
MAX_ATTEMPTS = 5
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
# A message still "sending" after this long lost its worker mid-send: it may or may not have
# gone, so it is shown to staff as interrupted and never resent on its own.
SEND_LEASE = timedelta(minutes=10)


class SettingsError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Settings:
    reminder_hours: tuple[int, ...] = REMINDER_HOURS
    quiet_start: time | None = QUIET[0]
    quiet_end: time | None = QUIET[1]
    questionnaires: bool = True  # the 4- and 24-hour links after a dose, and before the next


def settings_from(stored: Mapping[str, Any] | None) -> Settings:
    """The clinic's message settings as stored (JSON), checked."""
    values = dict(stored or {})
    unknown = set(values) - {"reminder_hours", "quiet_hours", "questionnaires"}
    if unknown:
        raise SettingsError(sorted(unknown)[0], "not a message setting")
    hours = tuple(values.get("reminder_hours", REMINDER_HOURS))
    if len(hours) > 4 or any(not isinstance(h, int) or not 1 <= h <= 336 for h in hours):
        raise SettingsError("reminder_hours", "up to four whole numbers of hours, 1 to 336")
    quiet: tuple[time | None, time | None] = QUIET
    if "quiet_hours" in values:
        raw = values["quiet_hours"]
        if raw is None:
            quiet = (None, None)
        else:
            try:
                start, end = (time.fromisoformat(part) for part in raw)
            except (TypeError, ValueError):
                raise SettingsError("quiet_hours", 'two times, e.g. ["21:00", "08:00"]') from None
            if start == end:
                raise SettingsError("quiet_hours", "start and end must differ")
            quiet = (start, end)
    return Settings(
        tuple(sorted(set(hours), reverse=True)), quiet[0], quiet[1],
        bool(values.get("questionnaires", True)),
    )  # fmt: skip


def in_quiet_hours(at: datetime, s: Settings, tz: tzinfo) -> bool:
    if s.quiet_start is None or s.quiet_end is None:
        return False
    local = at.astimezone(tz).time()
    if s.quiet_start < s.quiet_end:
        return s.quiet_start <= local < s.quiet_end
    return local >= s.quiet_start or local < s.quiet_end  # across midnight


def after_quiet_hours(at: datetime, s: Settings, tz: tzinfo) -> datetime:
    """`at`, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(at, s, tz) or s.quiet_end is None:
        return at
    local = at.astimezone(tz)
    end = datetime.combine(local.date(), s.quiet_end, tzinfo=tz)
    if end <= local:
        end += timedelta(days=1)
    return end


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries; None when they are used up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + BACKOFF[min(attempts, len(BACKOFF)) - 1]


def reminder_times(starts_at: datetime, s: Settings, now: datetime) -> list[tuple[int, datetime]]:
    """The reminders still to come before an appointment: (hours before, when due)."""
    return [
        (hours, starts_at - timedelta(hours=hours))
        for hours in s.reminder_hours
        if starts_at - timedelta(hours=hours) > now
    ]


def apply(current: Mapping[str, Any], specs: list[str]) -> dict[str, Any]:
    """KEY=VALUE message settings: reminder_hours=48,2; quiet_hours=21:00-08:00 (or none);
    questionnaires=yes|no; KEY=default removes one. Checked by `settings_from`."""
    values = dict(current)
    for spec in specs:
        key, _, value = spec.partition("=")
        if value == "default":
            values.pop(key, None)
        elif key == "reminder_hours":
            try:
                values[key] = [int(h) for h in value.split(",") if h.strip()]
            except ValueError:
                raise SettingsError(key, "hours before, e.g. 48,2") from None
        elif key == "quiet_hours":
            values[key] = None if value == "none" else value.split("-")
        elif key == "questionnaires":
            if value not in ("yes", "no"):
                raise SettingsError(key, "yes or no")
            values[key] = value == "yes"
        else:
            raise SettingsError(key or "messages", "not a message setting")
    settings_from(values)
    return values


# Secure messages: what may be attached, checked by the file's first bytes, not its name.
ATTACHMENT_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"%PDF-": "application/pdf",
}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 3
MAX_POST_CHARS = 5000


def sniff(head: bytes) -> str | None:
    """The content type of an allowed file from its first bytes; None for anything else."""
    for magic, content_type in ATTACHMENT_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def after_hours(at: datetime, s: Settings, open_weekdays: frozenset[int], tz: tzinfo) -> bool:
    """Whether a message arriving now will wait for the next working day: a day the clinic
    is closed, or the quiet hours."""
    return at.astimezone(tz).weekday() not in open_weekdays or in_quiet_hours(at, s, tz)
