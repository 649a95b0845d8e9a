"""Faults in the middle of writes: the app server killed with SIGKILL fifty times, and
PostgreSQL restarted as after a crash, while tablets give injections and record vitals.
Afterwards every acknowledged write is there, no patient was dosed twice by a retry, every
dose has its ledger entry and every balance adds up (`check-ledger`)."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest

from tests.ops import cluster, tablet
from tests.ops.cluster import Deployment

pytestmark = pytest.mark.once

KILLS = 50
RESTARTS = 3


def check_nothing_lost(network: Deployment, tablets: list[tablet.Tablet]) -> Counter[str]:
    acks = [ack for t in tablets for ack in t.acks]
    outcomes = sum((t.outcomes for t in tablets), start=Counter[str]())
    print(f"{len(acks)} acknowledged writes; outcomes {dict(outcomes)}")
    assert len(acks) > 50
    assert tablet.missing_acks(network, acks) == []
    doses = tablet.doses_per_session(network)
    chairs = [c for t in tablets for c in t.chairs]
    assert all(doses.get(c.session) == 1 for c in chairs), "each patient dosed exactly once"
    assert "ledger holds" in network.manage("check-ledger")
    return outcomes


def test_kill_minus_nine_fifty_times_during_writes(network: Deployment) -> None:
    server = network.server("kill-9")
    server.start()
    bearer = tablet.token(server.url, "synth3.nurse", cluster.PASSWORD)
    chairs, vials = tablet.todays_chairs(server.url, bearer)
    tablets = [tablet.Tablet(server.url, bearer, chairs[i::2], vials[i]) for i in range(2)]
    threads = tablet.run_tablets(tablets)
    rng = random.Random(20261203)  # noqa: S311  # when to pull the plug, not a secret
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.1, 0.4))
        deadline = time.monotonic() + 5
        while not any(t.writing.is_set() for t in tablets) and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.03))  # somewhere inside the write
        server.kill()
        server.start()
    time.sleep(1)
    tablet.stop_tablets(tablets, threads)
    outcomes = check_nothing_lost(network, tablets)
    assert outcomes["dropped mid-write"] >= KILLS // 3, "the kills landed inside writes"
    assert not [k for k in outcomes if k.startswith("5")], outcomes
    server.stop()


def test_postgresql_restarted_under_load(network: Deployment) -> None:
    servers = [network.server("pg-a"), network.server("pg-b")]
    for server in servers:
        server.start()
    proxy = network.proxy(servers)
    bearer = tablet.token(proxy.url, "synth4.nurse", cluster.PASSWORD)
    chairs, vials = tablet.todays_chairs(proxy.url, bearer)
    tablets = [tablet.Tablet(proxy.url, bearer, chairs[i::2], vials[i]) for i in range(2)]
    threads = tablet.run_tablets(tablets)
    assert network.postgres is not None, "a private server, so restarting it disturbs no one"
    for _ in range(RESTARTS):
        time.sleep(1.5)
        network.postgres.restart()
    time.sleep(2)
    tablet.stop_tablets(tablets, threads)
    outcomes = check_nothing_lost(network, tablets)
    # While the database is down the app says so (503, try again), never a 500.
    assert set(outcomes) <= {"201", "409", "503"}, outcomes
    for server in servers:
        server.stop()
