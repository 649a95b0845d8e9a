"""Environment readers that refuse bad values instead of guessing.

A clinic's settings decide who can log in and where patient data lives, so a typo in an
environment variable must stop the process with a message naming the variable, never fall
back silently to a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value}: must be between {minimum} and {maximum}")
    return value


def env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


def secret_key(data_dir: Path, *, production: bool) -> str:
    """Return KC_SECRET_KEY; outside production, generate one once and keep it in the data dir.

    Keeping it on disk means sessions survive a restart of the demo; in production the key
    must come from the operator so that several app servers share it.
    """
    key = env_str("KC_SECRET_KEY")
    if key:
        if len(key) < 50 or len(set(key)) < 5:
            raise ImproperlyConfigured(
                "KC_SECRET_KEY: must be at least 50 characters with at least 5 distinct ones"
            )
        return key
    if production:
        raise ImproperlyConfigured(
            "KC_SECRET_KEY is required when KC_ENV=production "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))')"
        )
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    path.chmod(0o600)
    return key
