"""The small key-value interface the API uses (availability cache, idempotency, rate limits).

Redis in production; an in-process implementation when REDIS_URL is unset. The
cache is an optimisation: a Redis error is logged and treated as a miss.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

import structlog
from redis.asyncio import Redis
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

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def close(self) -> None:
        self._data.clear()


class RedisCache:
    """Redis-backed cache; failures degrade to misses rather than errors."""

    def __init__(self, url: str) -> None:
        self._redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

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
        """The Redis client, for what a key-value interface cannot say (pub/sub)."""
        return self._redis

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

    async def delete(self, key: str) -> None:
        return None

    async def close(self) -> None:
        return None


def create_cache(redis_url: str | None) -> Cache:
    """Redis when a URL is configured, else the in-process cache."""
    return RedisCache(redis_url) if redis_url else MemoryCache()
