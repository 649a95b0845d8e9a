"""The chair's screen lock: a tablet watching a session in progress locks when left idle, in
place of the idle logout, so the monitoring clock and what is due stay on the screen. Nothing
can be read or written from a locked screen but the chair's own refresh (what is due, the
alerts) until the nurse unlocks it with their PIN (or password, if they have set no PIN).

HIPAA 164.312(a)(2)(iii) asks for automatic logoff "or a session lock" (ASVS 5.0 7.3 alike);
five wrong PINs end the session, and the 12-hour limit still logs out."""

from __future__ import annotations

import re

from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest
from django.utils import timezone

from ketamine_clinic.accounts.models import User

WATCH_KEY = "kc_chair_watch_until"
LOCKED_KEY = "kc_locked"
FAILS_KEY = "kc_lock_fails"
# A chair page of a session being dosed or monitored keeps the lock in place of the logout
# for this long after it was last opened (the longest session: 2 h of observation and more).
WATCH_SECONDS = 4 * 3600
MAX_FAILS = 5
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
# While locked, only these are served: the lock itself, logging out, static files, and the
# chair's and the board's own refreshes (sent with the background header).
OPEN_WHILE_LOCKED = ("/lock/", "/logout", "/static/")


def watch(request: HttpRequest) -> None:
    """The chair screen of a session in progress: lock rather than log out when idle."""
    request.session[WATCH_KEY] = timezone.now().timestamp() + WATCH_SECONDS


def watching(session: dict[str, object], now: float) -> bool:
    until = session.get(WATCH_KEY)
    return isinstance(until, int | float) and now < until


def is_locked(request: HttpRequest) -> bool:
    return bool(request.session.get(LOCKED_KEY))


def set_pin(user: User, pin: str) -> None:
    user.chair_pin = make_password(pin)
    user.save(update_fields=["chair_pin"])


def unlocks(user: User, secret: str) -> bool:
    """The user's PIN, or their password if they have set no PIN."""
    if user.chair_pin:
        return check_password(secret, user.chair_pin)
    return user.check_password(secret)
