"""`backup` and `restore` of the SQLite database: a copy taken while another connection
writes holds every write acknowledged before it began and passes the integrity check; a
restore puts that moment back; a damaged or foreign file is refused; PostgreSQL is pointed
to its own tools."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from ketamine_clinic.accounts.models import Clinic

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite commands; PostgreSQL is tested below"
)


def names_in(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM accounts_clinic")}


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_while_another_connection_writes(tmp_path: Path) -> None:
    acknowledged: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:  # another connection, committing one clinic at a time
        try:
            n = 0
            while not stop.is_set():
                Clinic.objects.create(name=f"written-{n}")
                acknowledged.append(f"written-{n}")
                n += 1
        except BaseException as exc:  # reported to the test below
            failures.append(exc)
        finally:
            connections.close_all()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while len(acknowledged) < count:
            assert not failures, failures
            assert time.monotonic() < deadline, f"only {len(acknowledged)} writes"
            time.sleep(0.01)

    writer = threading.Thread(target=write)
    writer.start()
    wait_for(50)
    before = list(acknowledged)
    out = tmp_path / "copy.sqlite3"
    call_command("backup", "--out", str(out))
    try:
        wait_for(len(before) + 50)  # the writer carried on during and after the backup
    finally:
        stop.set()
    writer.join()
    assert failures == []
    copied = names_in(out)
    assert set(before) <= copied  # every write acknowledged before the backup is in it
    assert copied <= set(acknowledged)
    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_restore_puts_the_backup_moment_back(tmp_path: Path) -> None:
    Clinic.objects.create(name="Before")
    out = tmp_path / "copy.sqlite3"
    call_command("backup", "--out", str(out))
    Clinic.objects.create(name="After")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(out))
    assert Clinic.objects.filter(name="After").exists()  # nothing changed without --yes
    call_command("restore", str(out), "--yes")
    assert set(Clinic.objects.values_list("name", flat=True)) == {"Before"}


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_bad_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.sqlite3"), "--yes")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError, match="not a database of this software"):
        call_command("restore", str(junk), "--yes")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(CommandError, match="not a database of this software"):
        call_command("restore", str(other), "--yes")
    out = tmp_path / "copy.sqlite3"
    call_command("backup", "--out", str(out))
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--out", str(out))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db
def test_postgresql_is_pointed_to_its_own_tools(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="pg_dump and WAL archiving"):
        call_command("backup", "--out", str(tmp_path / "x.sqlite3"))
