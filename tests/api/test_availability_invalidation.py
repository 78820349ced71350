"""Changes made through the API reach cached availability at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from reservations.cache import RedisCache
from services import allocation
from services.availability.cache import (
    CACHE_TTL_SECONDS,
    VERSION_DAYS_KEPT,
    VERSION_MIN_TTL_SECONDS,
    _ttl_before_next_expiry,
    affected_days,
    invalidate_day,
    version_ttl_seconds,
)
from tests.allocation.helpers import NOW, make_guest, make_reservation, make_restaurant, request
from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import REDIS_URL, Api


async def test_special_days_hours_and_tables_invalidate_the_cache(
    api: Api, admin: dict[str, str]
) -> None:
    body = restaurant_body(
        services=[
            {"weekday": d, "name": "dinner", "opens_at": "18:00", "closes_at": "23:00"}
            for d in range(7)
        ]
    )
    rid = (await api.client.post(f"{BASE}/restaurants", json=body, headers=admin)).json()["id"]
    table = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables", json={"number": "1", "max_capacity": 4}, headers=admin
    )
    day = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    url = f"{BASE}/restaurants/{rid}/availability"

    async def free_slots(party: int = 2) -> int:
        answer = (await api.client.get(url, params={"date": day, "party_size": party})).json()
        return sum(1 for s in answer["slots"] if s["available"])

    assert await free_slots() > 0  # now cached
    bigger = await api.client.patch(
        f"{BASE}/restaurants/{rid}/tables/{table.json()['id']}",
        json={"max_capacity": 6},
        headers=admin,
    )
    assert bigger.status_code == 200
    assert await free_slots(party=6) > 0

    closed = await api.client.post(
        f"{BASE}/restaurants/{rid}/special-days",
        json={"starts_on": day, "kind": "closed"},
        headers=admin,
    )
    assert closed.status_code == 201
    answer = (await api.client.get(url, params={"date": day, "party_size": 2})).json()
    assert answer["slots"] == [] and answer["closed_reason"] == "special_day_closed"


async def test_a_cached_answer_never_outlives_a_hold_that_expires(api: Api) -> None:
    async with api.db.sessions() as session:
        restaurant = await make_restaurant(session, tables=1)
        guest = await make_guest(session)
        res = await make_reservation(session, restaurant_id=restaurant.id, guest_id=guest.id)
        held = await allocation.hold_tables(
            session, request=request(res, restaurant.id, guest.id), now=NOW
        )
        await session.commit()
        assert held.held and held.hold_expires_at is not None
        expires = held.hold_expires_at
        ttl = await _ttl_before_next_expiry(
            session, restaurant_id=restaurant.id, now=expires - timedelta(seconds=7)
        )
        assert ttl == 7
        # once expired the hold blocks nothing, and nothing else is held
        after = await _ttl_before_next_expiry(session, restaurant_id=restaurant.id, now=expires)
        assert after == CACHE_TTL_SECONDS


async def test_a_days_version_key_expires_days_after_the_day() -> None:
    redis = RedisCache(REDIS_URL)
    restaurant_id = uuid.uuid4()
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    try:
        await invalidate_day(redis, restaurant_id, day)
        await invalidate_day(redis, restaurant_id, day)  # a second bump keeps the expiry
        raw = redis._redis  # the TTL is what is under test: read it from Redis itself
        for affected in affected_days(day):
            ttl = await raw.ttl(f"avail:ver:{restaurant_id}:{affected.isoformat()}")
            lives_until = datetime.now(UTC) + timedelta(seconds=ttl)
            # kept until VERSION_DAYS_KEPT days after the day, not forever (-1)
            assert affected + timedelta(days=VERSION_DAYS_KEPT - 1) <= lives_until.date()
            assert lives_until.date() <= affected + timedelta(days=VERSION_DAYS_KEPT)
        assert await redis.get(f"avail:ver:{restaurant_id}:{day.isoformat()}") == b"2"
    finally:
        await redis.close()


def test_a_past_days_version_key_still_outlives_every_answer_keyed_by_it() -> None:
    now = datetime(2031, 3, 5, 12, tzinfo=UTC)
    long_ago = now.date() - timedelta(days=30)
    assert version_ttl_seconds(long_ago, now) == VERSION_MIN_TTL_SECONDS
    assert VERSION_MIN_TTL_SECONDS > 10 * CACHE_TTL_SECONDS
