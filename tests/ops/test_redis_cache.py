"""The Redis cache keeps one client per connection pool, and threads that share it each get
their own answers."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ketamine_clinic.redis_cache import SharedClientRedisCache
from tests.ops import cluster

pytestmark = pytest.mark.pure  # its own Redis server, no database


@pytest.fixture
def server() -> Iterator[cluster.Redis]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    root = Path(tempfile.mkdtemp(prefix="kc-redis-"))
    running = cluster.Redis(root)
    yield running
    running.stop()
    shutil.rmtree(root, ignore_errors=True)


def make(url: str) -> SharedClientRedisCache:
    return SharedClientRedisCache(url, {"KEY_PREFIX": "t"})


def test_one_client_for_every_call(server: cluster.Redis) -> None:
    cache = make(server.url)
    cache.set("a", {"x": 1})
    assert cache.get("a") == {"x": 1}
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache.add("a", 2) is False
    assert cache.delete("a") is True
    assert cache.get("a", "gone") == "gone"
    assert cache._cache.get_client() is client


def test_threads_share_it_without_mixing_answers(server: cluster.Redis) -> None:
    cache = make(server.url)

    def round_trip(n: int) -> bool:
        for i in range(30):
            cache.set(f"k{n}", (n, i))
            if cache.get(f"k{n}") != (n, i):
                return False
        return True

    with ThreadPoolExecutor(16) as pool:
        assert all(pool.map(round_trip, range(64)))
