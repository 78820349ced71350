"""The small key-value interface the API uses (availability cache, idempotency, rate limits).

Redis in production; an in-process implementation when REDIS_URL is unset. The
cache is an optimisation: a Redis error is logged and treated as a miss.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

import structlog
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)


class Cache(Protocol):
    """What the application needs from a cache."""

    async def get(self, key: str) -> bytes | None: ...

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set(self, key: str, value: bytes, *, ttl_seconds: int) -> None: ...

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: int) -> bool: ...

    async def incr(self, key: str) -> int | None: ...

    async def incr_with_ttl(self, key: str, *, ttl_seconds: int) -> int | None: ...

    async def incr_many_with_ttl(self, items: Sequence[tuple[str, int]]) -> list[int | None]: ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryCache:
    """In-process cache with expiry, for the embedded default and single-process runs."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[bytes, float | None]] = {}

    def _live(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [self._live(key) for key in keys]

    async def set(self, key: str, value: bytes, *, ttl_seconds: int) -> None:
        self._data[key] = (value, time.monotonic() + ttl_seconds)

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: int) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl_seconds=ttl_seconds)
        return True

    async def incr(self, key: str) -> int | None:
        current = int(self._live(key) or b"0") + 1
        self._data[key] = (str(current).encode(), None)
        return current

    async def incr_with_ttl(self, key: str, *, ttl_seconds: int) -> int | None:
        item = self._data.get(key)
        expires = item[1] if item is not None and self._live(key) is not None else None
        current = int(self._live(key) or b"0") + 1
        self._data[key] = (str(current).encode(), expires or time.monotonic() + ttl_seconds)
        return current

    async def incr_many_with_ttl(self, items: Sequence[tuple[str, int]]) -> list[int | None]:
        return [await self.incr_with_ttl(key, ttl_seconds=ttl) for key, ttl in items]

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def close(self) -> None:
        self._data.clear()


# connections one process opens to Redis for the cache (REDIS_MAX_CONNECTIONS)
DEFAULT_MAX_CONNECTIONS = 100
# a command waits this long for a free pooled connection before it counts as a miss
POOL_WAIT_SECONDS = 0.5
# open live-event subscriptions (console screens, partner streams) one process serves
LISTENERS_PER_PROCESS = 1000


class RedisCache:
    """Redis-backed cache; failures degrade to misses rather than errors.

    Its pool blocks when all ``max_connections`` are in use: a burst of requests (a
    release rush) waits a moment for a connection instead of every request past the
    pool's size failing its cache reads and going to the database.
    """

    def __init__(self, url: str, *, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> None:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=POOL_WAIT_SECONDS,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
        )
        self._redis = Redis.from_pool(pool)  # the client closes the pool with itself
        # live-event subscribers each hold a connection for as long as they listen: on
        # a pool of their own, many open screens cannot starve the cache's reads
        self._listening = Redis.from_url(
            url,
            max_connections=LISTENERS_PER_PROCESS,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
        )

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._redis.get(key)
        except RedisError as exc:
            log.warning("cache.unavailable", op="get", error=str(exc))
            return None
        return value if isinstance(value, bytes) else None

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One MGET round trip; every key a miss while Redis is unreachable."""
        if not keys:
            return []
        try:
            values = await self._redis.mget(list(keys))
        except RedisError as exc:
            log.warning("cache.unavailable", op="get_many", error=str(exc))
            return [None] * len(keys)
        return [v if isinstance(v, bytes) else None for v in values]

    @property
    def client(self) -> Redis:
        """The Redis client, for what a key-value interface cannot say (publishing)."""
        return self._redis

    @property
    def listening_client(self) -> Redis:
        """The Redis client for subscriptions, on connections apart from the cache's."""
        return self._listening

    async def set(self, key: str, value: bytes, *, ttl_seconds: int) -> None:
        try:
            await self._redis.set(key, value, ex=ttl_seconds)
        except RedisError as exc:
            log.warning("cache.unavailable", op="set", error=str(exc))

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: int) -> bool:
        try:
            return bool(await self._redis.set(key, value, ex=ttl_seconds, nx=True))
        except RedisError as exc:
            log.warning("cache.unavailable", op="set_if_absent", error=str(exc))
            return True

    async def incr(self, key: str) -> int | None:
        try:
            return int(await self._redis.incr(key))
        except RedisError as exc:
            log.warning("cache.unavailable", op="incr", error=str(exc))
            return None

    async def incr_with_ttl(self, key: str, *, ttl_seconds: int) -> int | None:
        """Count; the first count of a key starts its expiry (a counting window)."""
        try:
            count = int(await self._redis.incr(key))
            if count == 1:
                await self._redis.expire(key, ttl_seconds)
        except RedisError as exc:
            log.warning("cache.unavailable", op="incr_with_ttl", error=str(exc))
            return None
        return count

    async def incr_many_with_ttl(self, items: Sequence[tuple[str, int]]) -> list[int | None]:
        """`incr_with_ttl` of each (key, ttl), in one round trip (a second one starts
        the expiry of keys counted for the first time)."""
        if not items:
            return []
        try:
            async with self._redis.pipeline(transaction=False) as counting:
                for key, _ttl in items:
                    counting.incr(key)
                counts = [int(c) for c in await counting.execute()]
            fresh = [
                (key, ttl) for (key, ttl), count in zip(items, counts, strict=True) if count == 1
            ]
            if fresh:
                async with self._redis.pipeline(transaction=False) as expiring:
                    for key, ttl in fresh:
                        expiring.expire(key, ttl)
                    await expiring.execute()
        except RedisError as exc:
            log.warning("cache.unavailable", op="incr_many_with_ttl", error=str(exc))
            return [None] * len(items)
        return list(counts)

    async def delete(self, key: str) -> None:
        try:
            await self._redis.delete(key)
        except RedisError as exc:
            log.warning("cache.unavailable", op="delete", error=str(exc))

    async def ping(self) -> bool:
        """True when Redis answers (for /readyz)."""
        try:
            return bool(await self._redis.ping())
        except RedisError:
            return False

    async def close(self) -> None:
        await self._redis.aclose()
        await self._listening.aclose()


class NullCache:
    """Remembers nothing: every read is a miss and every claim succeeds.

    For a process whose cache other processes would need to invalidate but cannot
    reach (the API beside a separate worker when REDIS_URL is unset).
    """

    async def get(self, key: str) -> bytes | None:
        return None

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [None] * len(keys)

    async def set(self, key: str, value: bytes, *, ttl_seconds: int) -> None:
        return None

    async def set_if_absent(self, key: str, value: bytes, *, ttl_seconds: int) -> bool:
        return True

    async def incr(self, key: str) -> int | None:
        return None

    async def incr_with_ttl(self, key: str, *, ttl_seconds: int) -> int | None:
        return None

    async def incr_many_with_ttl(self, items: Sequence[tuple[str, int]]) -> list[int | None]:
        return [None] * len(items)

    async def delete(self, key: str) -> None:
        return None

    async def close(self) -> None:
        return None


def create_cache(redis_url: str | None, *, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> Cache:
    """Redis when a URL is configured (at most ``max_connections`` to it), else the
    in-process cache."""
    return RedisCache(redis_url, max_connections=max_connections) if redis_url else MemoryCache()
