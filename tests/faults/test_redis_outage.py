"""Redis dies during bookings: answers stay correct, and the cache comes back by itself.

Redis holds the availability cache, the invalidation counters and the rate-limit
counters. With redis-server killed (-9) under a running API and worker, bookings still
succeed, availability is computed from the database (so it shows the bookings made
during the outage) and no request fails. When a new redis-server listens on the same
port, the same API process fills the cache again without a restart.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from tests.api.test_reservation_lifecycle import booking, booking_day
from tests.faults.stack import BASE, Cluster, Stack, restaurant, running_stack

pytestmark = [
    pytest.mark.long_running,
    pytest.mark.xdist_group("faults-redis_outage"),
    pytest.mark.temporal,
    pytest.mark.postgres,
]


async def free_at(stack: Stack, rid: str, at: str) -> bool:
    """Whether the slot at `at` (e.g. "19:00") is bookable for two, as the API answers now."""
    answer = await stack.client.get(
        f"{BASE}/restaurants/{rid}/availability",
        params={"date": booking_day().isoformat(), "party_size": 2},
    )
    assert answer.status_code == 200, answer.text
    slots: list[dict[str, Any]] = answer.json()["slots"]
    [slot] = [s for s in slots if s["time"].startswith(at)]
    return bool(slot["available"])


async def cached_keys(stack: Stack) -> list[bytes]:
    assert stack.redis is not None
    client = aioredis.Redis.from_url(stack.redis.url)
    try:
        return [key async for key in client.scan_iter("avail:*")]
    finally:
        await client.aclose()


async def test_bookings_go_on_while_redis_is_down_and_the_cache_returns_by_itself(
    cluster: Cluster, tmp_path: Path
) -> None:
    async with running_stack(cluster, tmp_path, with_redis=True) as stack:
        assert stack.redis is not None
        admin = await stack.admin()
        rid = await restaurant(stack, admin)  # two tables
        assert await free_at(stack, rid, "19:00")
        assert await cached_keys(stack), "the availability answer was not cached in Redis"

        await asyncio.to_thread(stack.redis.kill)

        # both tables at 19:00 are booked while Redis is down; every answer is right
        for email in ("a@example.com", "b@example.com"):
            made = await stack.client.post(
                f"{BASE}/reservations", json=booking(rid, at="19:00", email=email)
            )
            assert made.status_code == 201, made.text
            assert made.json()["status"] in {"confirmed", "pending_confirmation"}
        assert not await free_at(stack, rid, "19:00")
        assert await free_at(stack, rid, "17:00")
        full = await stack.client.post(
            f"{BASE}/reservations", json=booking(rid, at="19:00", email="c@example.com")
        )
        assert full.status_code == 409, full.text
        ready = (await stack.client.get("/readyz")).json()
        assert ready["status"] == "ready" and ready["checks"]["redis"].startswith("unavailable")

        await asyncio.to_thread(stack.redis.start)

        # the same API process caches again: a key appears with the right answer in it
        assert not await free_at(stack, rid, "19:00")
        assert await cached_keys(stack), "the cache did not come back after Redis restarted"
        assert not await free_at(stack, rid, "19:00")  # now from the cache, still right
        assert (await stack.client.get("/readyz")).json()["checks"]["redis"] == "ok"
        made = await stack.client.post(
            f"{BASE}/reservations", json=booking(rid, at="17:00", email="d@example.com")
        )
        assert made.status_code == 201, made.text
        assert "unhandled error" not in stack.api.output
