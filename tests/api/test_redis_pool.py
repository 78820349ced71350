"""The Redis cache under a burst larger than its connection pool (a release rush)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from reservations.cache import RedisCache
from services.live_events import live_events_for
from tests.conftest import REDIS_URL


async def test_a_burst_past_the_pool_waits_for_a_connection_instead_of_missing() -> None:
    cache = RedisCache(REDIS_URL, max_connections=2)
    key = f"pool-burst-{uuid.uuid4().hex}"
    try:
        await cache.set(key, b"answer", ttl_seconds=60)
        # 50 reads at once through 2 connections: each waits its turn, none is a miss
        reads = await asyncio.gather(*(cache.get(key) for _ in range(50)))
        many = await asyncio.gather(*(cache.get_many([key, key]) for _ in range(50)))
        assert reads == [b"answer"] * 50
        assert many == [[b"answer", b"answer"]] * 50
    finally:
        await cache.delete(key)
        await cache.close()


async def test_open_live_event_subscriptions_do_not_take_the_caches_connections() -> None:
    cache = RedisCache(REDIS_URL, max_connections=2)
    key = f"pool-listeners-{uuid.uuid4().hex}"
    events = live_events_for(cache)
    try:
        await cache.set(key, b"answer", ttl_seconds=60)
        async with contextlib.AsyncExitStack() as screens:
            for _ in range(3):  # more open screens than the cache has connections
                await screens.enter_async_context(events.subscribe(uuid.uuid4()))
            reads = await asyncio.gather(*(cache.get(key) for _ in range(10)))
        assert reads == [b"answer"] * 10
    finally:
        await cache.delete(key)
        await cache.close()
