"""Counting many cache keys at once (one pipeline): only a first count starts the expiry."""

from __future__ import annotations

import uuid

import pytest

from reservations.cache import Cache, MemoryCache, NullCache, RedisCache
from tests.conftest import REDIS_URL


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_keys_count_together_and_only_a_first_count_sets_the_expiry(kind: str) -> None:
    cache: Cache = MemoryCache() if kind == "memory" else RedisCache(REDIS_URL)
    prefix = f"test:counts:{uuid.uuid4()}"
    first, second = f"{prefix}:a", f"{prefix}:b"
    try:
        assert await cache.incr_many_with_ttl([(first, 100)]) == [1]
        assert await cache.incr_many_with_ttl([(first, 5000), (second, 200)]) == [2, 1]
        if isinstance(cache, RedisCache):
            ttls = [await cache.client.ttl(first), await cache.client.ttl(second)]
            assert 0 < ttls[0] <= 100 and 100 < ttls[1] <= 200  # the later ttl did not reset it
        assert await cache.incr_many_with_ttl([]) == []
    finally:
        await cache.close()


async def test_an_unreachable_redis_counts_nothing_and_raises_nothing() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0")
    try:
        assert await cache.incr_many_with_ttl([("a", 10), ("b", 10)]) == [None, None]
    finally:
        await cache.close()
    assert await NullCache().incr_many_with_ttl([("a", 10)]) == [None]
