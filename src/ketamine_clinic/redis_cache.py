"""Django's Redis cache with one redis-py client per connection pool, not one per call.

Django's Redis cache makes a new `redis.Redis` for every cache call, and redis-py builds its
table of some 170 response callbacks in each one's constructor: about 80 µs of CPU, on every
request that reads its session. A client is safe to share between threads (each command
borrows a connection from the pool), so one per pool is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # The private helpers are Django's own (django/core/cache/backends/redis.py).
        base: Any = self
        index = base._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:  # two threads may both make one: the last stored is kept
            pool = base._get_connection_pool(write)
            client = self._clients[index] = base._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
