"""The sliding-window count behind every rate limit (services/partners/limits.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from reservations.cache import Cache, MemoryCache, RedisCache
from services.partners.limits import take
from tests.conftest import REDIS_URL

# a window boundary: 12:00:00 UTC is a multiple of 60 s since the epoch
BOUNDARY = datetime(2031, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    counters: Cache = MemoryCache() if request.param == "memory" else RedisCache(REDIS_URL)
    yield counters
    await counters.close()


async def allowed(cache: Cache, subject: str, at: datetime, limit: int = 2) -> bool:
    decision = await take(cache, subject=subject, limit=limit, window_seconds=60, now=at)
    return decision.allowed


async def test_a_burst_across_a_window_boundary_gets_its_budget_once(cache: Cache) -> None:
    subject = f"test:{uuid.uuid4()}"
    before = BOUNDARY - timedelta(milliseconds=300)
    assert await allowed(cache, subject, before)
    assert await allowed(cache, subject, before)
    # a fixed window would start counting afresh here and allow two more
    after = BOUNDARY + timedelta(milliseconds=300)
    decision = await take(cache, subject=subject, limit=2, window_seconds=60, now=after)
    assert not decision.allowed
    assert 1 <= decision.retry_after_seconds <= 120


async def test_the_retry_after_is_when_one_more_request_fits(cache: Cache) -> None:
    subject = f"test:{uuid.uuid4()}"
    start = BOUNDARY + timedelta(seconds=10)
    assert await allowed(cache, subject, start)
    assert await allowed(cache, subject, start)
    refused = await take(cache, subject=subject, limit=2, window_seconds=60, now=start)
    assert not refused.allowed
    wait = timedelta(seconds=refused.retry_after_seconds)
    # a second earlier it is still refused, at the advertised time it fits
    assert not await allowed(cache, f"{subject}", start + wait - timedelta(seconds=1.5))
    probe = f"test:{uuid.uuid4()}"  # the same history, without the early probe counted
    for _ in range(3):
        await take(cache, subject=probe, limit=2, window_seconds=60, now=start)
    assert await allowed(cache, probe, start + wait)


async def test_the_previous_window_fades_out(cache: Cache) -> None:
    subject = f"test:{uuid.uuid4()}"
    assert await allowed(cache, subject, BOUNDARY - timedelta(seconds=1))
    assert await allowed(cache, subject, BOUNDARY - timedelta(seconds=1))
    # half-way through the next window the two old requests weigh one
    assert await allowed(cache, subject, BOUNDARY + timedelta(seconds=30))
    assert not await allowed(cache, subject, BOUNDARY + timedelta(seconds=31))
    # two windows on, nothing of them is left
    assert await allowed(cache, subject, BOUNDARY + timedelta(seconds=120))
    assert await allowed(cache, subject, BOUNDARY + timedelta(seconds=120))
