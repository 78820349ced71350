"""Live events: publish and subscribe per restaurant, on real Redis and in-process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from models.enums import ReservationStatus
from reservations.cache import Cache, MemoryCache, NullCache, RedisCache
from services.availability import invalidate_day, invalidate_restaurant
from services.live_events import LiveEvent, publish, subscribe
from tests.conftest import REDIS_URL, Database

DAY = date(2031, 3, 5)


@pytest.fixture(params=["redis", "in-process"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    made: Cache = RedisCache(REDIS_URL) if request.param == "redis" else MemoryCache()
    yield made
    await made.close()


async def _next(events: AsyncIterator[LiveEvent]) -> LiveEvent:
    # a bound on a wait that should end at once, not a timing assertion
    return await asyncio.wait_for(anext(events), timeout=10)


async def test_a_subscriber_hears_its_restaurant_only(cache: Cache) -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    async with subscribe(cache, mine) as events:
        await publish(cache, LiveEvent(type="availability.changed", restaurant_id=other, day=DAY))
        await publish(cache, LiveEvent(type="availability.changed", restaurant_id=mine, day=DAY))
        heard = await _next(events)
    assert heard.restaurant_id == mine and heard.day == DAY


async def test_every_subscriber_hears_every_event_in_order(cache: Cache) -> None:
    rid = uuid.uuid4()
    async with subscribe(cache, rid) as first, subscribe(cache, rid) as second:
        for offset in range(3):
            event = LiveEvent(
                type="availability.changed", restaurant_id=rid, day=DAY + timedelta(days=offset)
            )
            await publish(cache, event)
        for events in (first, second):
            days = [(await _next(events)).day for _ in range(3)]
            assert days == [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]


async def test_cache_invalidations_publish_the_change(cache: Cache) -> None:
    rid = uuid.uuid4()
    async with subscribe(cache, rid) as events:
        await invalidate_day(cache, rid, DAY)
        booked = await _next(events)
        await invalidate_restaurant(cache, rid)
        floor = await _next(events)
    assert (booked.type, booked.day) == ("availability.changed", DAY)
    assert (floor.type, floor.day) == ("availability.changed", None)


async def test_redis_events_reach_another_connection() -> None:
    # the worker publishes on its own connection; the API process listens on another
    worker, api = RedisCache(REDIS_URL), RedisCache(REDIS_URL)
    rid = uuid.uuid4()
    try:
        async with subscribe(api, rid) as events:
            await invalidate_day(worker, rid, DAY)
            heard = await _next(events)
        assert heard.restaurant_id == rid and heard.day == DAY
    finally:
        await worker.close()
        await api.close()


async def test_publishing_without_redis_reachable_does_not_fail_the_write() -> None:
    gone = RedisCache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        await invalidate_day(gone, uuid.uuid4(), DAY)  # logged, not raised
    finally:
        await gone.close()


async def test_in_process_listener_that_falls_behind_loses_the_oldest() -> None:
    from services import live_events

    rid = uuid.uuid4()
    nothing = NullCache()  # no Redis: the process's own hub
    async with subscribe(nothing, rid) as events:
        for offset in range(live_events.QUEUE_SIZE + 2):
            await publish(
                nothing,
                LiveEvent(
                    type="availability.changed",
                    restaurant_id=rid,
                    day=DAY + timedelta(days=offset),
                ),
            )
        first = await _next(events)
    assert first.day == DAY + timedelta(days=2)


# ---- the events of what a session commits -------------------------------------------------


async def test_committed_rows_become_events_and_rolled_back_ones_do_not(db: Database) -> None:
    from models.orm import Restaurant, RestaurantTable
    from services.live_events import committed_events, publish_committed

    rid = uuid.uuid4()
    async with db.sessions() as session:
        session.add(
            Restaurant(
                id=rid, name="Live", slug=f"live-{rid.hex[:8]}", timezone="UTC", currency="EUR"
            )
        )
        session.add(RestaurantTable(restaurant_id=rid, number="1", min_capacity=1, max_capacity=2))
        await session.commit()
        (added,) = committed_events(session)
        assert (added.type, added.restaurant_id) == ("table.changed", rid)
        table = await session.get(RestaurantTable, added.table_id)
        assert table is not None

        table.live_status_note = "rolled back"
        await session.flush()
        await session.rollback()
        assert committed_events(session) == []  # nothing of a rolled-back write is told
        await session.refresh(table)  # a rollback expires what the session loaded

        table.name = table.name  # touched, not changed
        await session.commit()
        assert committed_events(session) == []

        table.live_status_note = "kept"
        await session.commit()
        nothing = NullCache()  # the in-process hub
        async with subscribe(nothing, rid) as events:
            await publish_committed(nothing, session)
            heard = await _next(events)
        assert (heard.type, heard.table_id) == ("table.changed", table.id)
        assert committed_events(session) == []  # published once


async def test_the_new_event_types_cross_redis_intact() -> None:
    worker, api = RedisCache(REDIS_URL), RedisCache(REDIS_URL)
    rid, reservation = uuid.uuid4(), uuid.uuid4()
    try:
        async with subscribe(api, rid) as events:
            sent = LiveEvent(
                type="reservation.changed",
                restaurant_id=rid,
                reservation_id=reservation,
                status=ReservationStatus.SEATED,
            )
            await publish(worker, sent)
            assert await _next(events) == sent
    finally:
        await worker.close()
        await api.close()
