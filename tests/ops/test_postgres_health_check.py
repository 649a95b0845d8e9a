"""The PostgreSQL backend's health check: a live connection passes without a query, and one
the server has ended is found out before a request uses it."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_base

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend"),
]


def fresh() -> django_base.DatabaseWrapper:
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    return wrapper


def test_the_backend_is_ours() -> None:
    default = connections["default"]
    assert type(default).__module__ == "ketamine_clinic.server.postgres.base"
    assert default.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_live_connection_passes_without_asking_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrapper = fresh()
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")  # used, then idle, as between two requests

        def no_round_trip(self: object) -> bool:
            raise AssertionError("SELECT 1 was sent")

        monkeypatch.setattr(django_base.DatabaseWrapper, "is_usable", no_round_trip)
        for _ in range(3):
            assert wrapper.is_usable()
    finally:
        wrapper.close()


def test_an_ended_connection_is_found_and_replaced() -> None:
    wrapper = fresh()
    try:
        backend = wrapper.connection.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
        deadline = time.monotonic() + 10
        while wrapper.is_usable():  # the server's notice arrives within moments
            assert time.monotonic() < deadline, "a connection the server ended still passes"
            time.sleep(0.05)
        # What Django does at the start of a request: check, close, connect again.
        wrapper.health_check_done = False
        wrapper.close_if_health_check_failed()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != backend
    finally:
        wrapper.close()


def test_a_closed_connection_fails() -> None:
    wrapper = fresh()
    wrapper.connection.close()
    assert not wrapper.is_usable()
    wrapper.close()
