"""The production-shaped deployment that the scale-out and fault tests share: built once,
migrated, and loaded with a small synthetic network whose clinics each have patients at the
chair today. Each test works in a clinic of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.ops import cluster


@pytest.fixture(scope="session")
def network() -> Iterator[cluster.Deployment]:
    missing = cluster.missing_tools()
    if missing:
        message = "the deployment tests need " + ", ".join(missing)
        if os.environ.get("KC_REQUIRE_DEPLOYMENT_TESTS"):  # CI installs them: never skip there
            pytest.fail(message)
        pytest.skip(message)
    with cluster.deployment() as deployment:
        deployment.manage("migrate", "-v0")
        deployment.manage(
            "synth",
            "--clinics",
            "4",
            "--patients",
            "80",
            "--sessions",
            "2",
            "--scores",
            "3",
            "--today",
            "16",
            "--password",
            cluster.PASSWORD,
        )
        yield deployment
