"""Backup and restore of a SQLite database while the app runs.

SQLite's online backup copies the database page by page under its own locks, so readers and
writers carry on and the copy is one consistent moment (https://sqlite.org/backup.html). A
copy is checked before it is trusted: SQLite's integrity check, and the migrations table that
says which version of this software wrote it. PostgreSQL has its own tools (docs/deploy.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from ketamine_clinic.common.errors import InvalidInput

PAGES_PER_STEP = 1024  # copy in steps: writers wait for one step at a time, not the whole copy


@dataclass(frozen=True)
class Copied:
    path: Path
    size_bytes: int
    migrations: int


def _live() -> sqlite3.Connection:
    if connection.vendor != "sqlite":
        raise InvalidInput(
            "DATABASE_URL",
            "this database is PostgreSQL: back it up with pg_dump and WAL archiving "
            "(docs/deploy.md, Backups)",
        )
    if connection.in_atomic_block:  # SQLite would wait for this transaction forever
        raise InvalidInput("transaction", "back up or restore outside a transaction")
    connection.ensure_connection()
    live = connection.connection
    assert isinstance(live, sqlite3.Connection)  # noqa: S101  # the sqlite backend's own
    return live


def check(path: Path) -> int:
    """Raise InvalidInput unless `path` is a sound database of this software; returns the
    number of migrations it records."""
    if not path.is_file():
        raise InvalidInput("file", f"{path} does not exist")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise InvalidInput("file", f"{path} is damaged: {verdict}")
            return int(db.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise InvalidInput("file", f"{path} is not a database of this software ({exc})") from None


def backup(out: Path) -> Copied:
    """Copy the live database to `out` (which must not exist), then check the copy."""
    if out.exists():
        raise InvalidInput("out", f"{out} exists already; choose a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(out)
    try:
        _live().backup(target, pages=PAGES_PER_STEP)
    finally:
        target.close()
    return Copied(out, out.stat().st_size, check(out))


def restore(source: Path) -> Copied:
    """Replace the live database with a checked copy, in place: every connection sees either
    the old database or the restored one, never a mixture."""
    migrations = check(source)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy:
        copy.backup(_live(), pages=PAGES_PER_STEP)
    return Copied(source, source.stat().st_size, migrations)
