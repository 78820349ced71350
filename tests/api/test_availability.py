"""Availability, search and the staff timeline over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from api.app import create_app
from models.enums import SpecialDayKind, StaffRole
from models.schemas.booking import HoldOutcome
from models.schemas.restaurant import SpecialDayIn
from reservations.cache import Cache, MemoryCache, RedisCache
from reservations.settings import Settings
from services import allocation
from services.availability import invalidate_pending
from services.restaurants import add_special_day

# the reservation builders live beside the allocation tests (no package there, like conftest)
from tests.allocation.helpers import (
    ApiLike,
    Db,
    make_guest,
    make_reservation,
    make_restaurant,
    request,
)
from tests.minutes import early_in_a_minute

BASE = "/api/v1/reservations"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DAY = datetime.now(UTC).date() + timedelta(days=7)  # the clock is real over HTTP


async def _restaurant(db: Db, **kw: Any) -> uuid.UUID:
    async with db.sessions() as session, session.begin():
        restaurant = await make_restaurant(session, **kw)
    return restaurant.id


async def _hold(
    db: Db,
    rid: uuid.UUID,
    *,
    at: time = time(19),
    day: date = DAY,
    cache: Cache | None = None,
) -> HoldOutcome:
    async with db.sessions() as session:
        async with session.begin():
            guest = await make_guest(session)
            res_id = await make_reservation(
                session, restaurant_id=rid, guest_id=guest.id, day=day, at=at
            )
            outcome = await allocation.hold_tables(
                session,
                request=request(res_id, rid, guest.id, day=day, at=at),
                now=datetime.now(UTC),
            )
        if cache is not None:
            await invalidate_pending(session, cache)
    return outcome


async def _get(client: httpx.AsyncClient, rid: uuid.UUID, **params: Any) -> dict[str, Any]:
    params.setdefault("date", DAY.isoformat())
    params.setdefault("party_size", 2)
    response = await client.get(f"{BASE}/restaurants/{rid}/availability", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _by_time(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["time"][:5]: s for s in body["slots"]}


def _app_cache(api: ApiLike) -> Cache:
    """The `api` fixture's in-process cache (the fixture does not expose its app)."""
    transport: Any = api.client._transport
    cache: Cache = transport.app.state.cache
    return cache


@asynccontextmanager
async def _client(db: Db, cache: Cache) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(_env_file=None, database_url=db.url, jwt_secret="x" * 48)
    app = create_app(settings, engine=db.engine, cache=cache)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_day_slots_with_reasons(api: ApiLike) -> None:
    rid = await _restaurant(api.db, tables=1, settings={"max_party_size": 6})
    body = await _get(api.client, rid)
    slots = _by_time(body)
    assert body["closed_reason"] is None
    assert min(slots) == "17:00" and max(slots) == "21:00" and len(slots) == 17
    assert all(s["available"] and s["reason"] is None for s in slots.values())
    assert slots["19:00"]["table_numbers"] == ["1"]
    too_big = _by_time(await _get(api.client, rid, party_size=8))
    assert {s["reason"] for s in too_big.values()} == {"party_too_large"}
    # a day before today is invalid input (422), not a day of unavailable slots
    past = await api.client.get(
        f"{BASE}/restaurants/{rid}/availability",
        params={"date": (DAY - timedelta(days=30)).isoformat(), "party_size": 2},
    )
    assert past.status_code == 422 and past.json()["reason"] == "in_the_past"

    await _hold(api.db, rid, cache=_app_cache(api))
    slots = _by_time(await _get(api.client, rid))
    # a 2-hour stay from 19:00 blocks every start in (17:00, 21:00)
    assert slots["17:00"]["available"] and slots["21:00"]["available"]
    assert {slots[t]["reason"] for t in ("17:15", "19:00", "20:45")} == {"no_table_fits"}


async def test_time_answer_with_alternatives(api: ApiLike) -> None:
    rid = await _restaurant(api.db, tables=1)
    await _hold(api.db, rid, cache=_app_cache(api))
    body = await _get(api.client, rid, time="19:00")
    requested = body["requested"]
    assert requested["available"] is False and requested["reason"] == "no_table_fits"
    # nothing within ±90 min is free that day: the same time on the next three days
    assert [(a["date"], a["time"][:5]) for a in body["alternatives"]] == [
        ((DAY + timedelta(days=i)).isoformat(), "19:00") for i in (1, 2, 3)
    ]
    near = await _get(api.client, rid, time="18:30")
    assert [(a["date"], a["time"][:5]) for a in near["alternatives"]][:1] == [
        (DAY.isoformat(), "17:00")
    ]
    free = await _get(api.client, rid, time="21:00")
    assert (
        free["requested"]["available"] is True and free["requested"]["slot"]["time"] == "21:00:00"
    )
    outside = await _get(api.client, rid, time="12:00")
    assert outside["requested"]["reason"] == "outside_opening_hours"
    assert outside["requested"]["slot"] is None


async def test_closed_special_day(api: ApiLike) -> None:
    rid = await _restaurant(api.db)
    async with api.db.sessions() as session, session.begin():
        await add_special_day(
            session, restaurant_id=rid, data=SpecialDayIn(starts_on=DAY, kind=SpecialDayKind.CLOSED)
        )
    body = await _get(api.client, rid)
    assert body["slots"] == [] and body["closed_reason"] == "special_day_closed"
    timed = await _get(api.client, rid, time="19:00")
    assert timed["requested"]["reason"] == "special_day_closed"
    assert len(timed["alternatives"]) == 3


async def test_validation_names_the_field(api: ApiLike) -> None:
    rid = await _restaurant(api.db, tables=1)
    url = f"{BASE}/restaurants/{rid}/availability"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"date": DAY.isoformat(), "party_size": 0}, "party_size"),
        ({"party_size": 2}, "date"),
        ({"date": "2031-02-30", "party_size": 2}, "date"),
        ({"date": DAY.isoformat(), "party_size": 2, "time": "25:00"}, "time"),
        ({"date": DAY.isoformat(), "party_size": "two"}, "party_size"),
    ]
    for params, field in cases:
        r = await api.client.get(url, params=params)
        assert r.status_code == 422, (field, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"] == field, (field, r.json())
    missing = await api.client.get(
        f"{BASE}/restaurants/{uuid.uuid4()}/availability",
        params={"date": DAY.isoformat(), "party_size": 2},
    )
    assert missing.status_code == 404
    search = {"date": DAY.isoformat(), "time_from": "20:00", "time_to": "18:00", "party_size": 2}
    r = await api.client.post(f"{BASE}/search", json=search)
    assert r.status_code == 422 and r.json()["field"] == "time_to"
    r = await api.client.post(
        f"{BASE}/search", json={**search, "time_to": "21:00", "party_size": 0}
    )
    assert r.status_code == 422 and r.json()["field"] == "party_size"


async def test_search_filters_and_ordering(api: ApiLike) -> None:
    late = await _restaurant(api.db, name="Late", opens=time(20), city="Amsterdam",
                             features=["terrace"], cuisine_type="Italian")  # fmt: skip
    early = await _restaurant(api.db, name="Early", opens=time(18), city="Amsterdam",
                              cuisine_type="French", last_seating=time(19))  # fmt: skip
    await _restaurant(api.db, name="Elsewhere", opens=time(18), city="Utrecht")
    full = await _restaurant(api.db, name="Full", opens=time(18), city="Amsterdam", tables=1,
                             last_seating=time(18))  # fmt: skip
    await _hold(api.db, full, at=time(18))
    closed = await _restaurant(api.db, name="Closed", city="Amsterdam")
    async with api.db.sessions() as session, session.begin():
        await add_special_day(
            session,
            restaurant_id=closed,
            data=SpecialDayIn(starts_on=DAY, kind=SpecialDayKind.CLOSED),
        )

    async def names(**body: Any) -> list[str]:
        payload = {"date": DAY.isoformat(), "time_from": "18:00", "time_to": "21:00",
                   "party_size": 2, **body}  # fmt: skip
        r = await api.client.post(f"{BASE}/search", json=payload)
        assert r.status_code == 200, r.text
        return [item["restaurant"]["name"] for item in r.json()["items"]]

    assert await names(city="Amsterdam") == ["Early", "Late"]
    assert await names() == ["Early", "Elsewhere", "Late"]
    assert await names(preferred_time="20:30") == ["Elsewhere", "Late", "Early"]
    assert await names(features=["terrace"]) == ["Late"]
    assert await names(cuisine="french") == ["Early"]
    assert await names(limit=1, offset=1) == ["Elsewhere"]
    r = await api.client.post(f"{BASE}/search", json={
        "date": DAY.isoformat(), "time_from": "18:00", "time_to": "21:00", "party_size": 2,
        "limit": 1})  # fmt: skip
    body = r.json()
    assert body["total"] == 3
    first = body["items"][0]
    assert first["nearest"]["time"] == "18:00:00" and first["restaurant"]["id"] == str(early)
    assert all(s["available"] for s in first["slots"])
    assert {s["time"][:5] for s in first["slots"]} <= {f"{h}:{m:02d}" for h in (18, 19, 20, 21)
                                                       for m in (0, 15, 30, 45)}  # fmt: skip
    assert late  # ordering above proves it was found


async def test_timeline_is_scoped_to_the_restaurant(api: ApiLike) -> None:
    a = await _restaurant(api.db, name="A", tables=2)
    b = await _restaurant(api.db, name="B", tables=1)
    hold = await _hold(api.db, a)
    host_a = await api.token_for(StaffRole.HOST, [a])
    url = f"{BASE}/restaurants/{{}}/timeline"
    r = await api.client.get(url.format(a), params={"date": DAY.isoformat()}, headers=host_a)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["timezone"] == "Europe/Amsterdam"
    assert [t["number"] for t in body["tables"]] == ["1", "2"]
    entries = [e for t in body["tables"] for e in t["allocations"]]
    assert len(entries) == 1
    assert entries[0]["reference"] == hold.reference and entries[0]["status"] == "held"
    assert entries[0]["party_size"] == 2
    other = await api.client.get(url.format(b), params={"date": DAY.isoformat()}, headers=host_a)
    assert other.status_code == 404
    anonymous = await api.client.get(url.format(a), params={"date": DAY.isoformat()})
    assert anonymous.status_code == 401
    bad = await api.client.get(url.format(a), params={"date": "tomorrow"}, headers=host_a)
    assert bad.status_code == 422 and bad.json()["field"] == "date"


async def test_redis_cache_is_invalidated_after_a_hold(db: Db) -> None:
    cache = RedisCache(REDIS_URL)
    try:
        rid = await _restaurant(db, tables=1)
        async with _client(db, cache) as client:
            await early_in_a_minute()  # the stale answer below must still be this minute's
            assert _by_time(await _get(client, rid))["19:00"]["available"]
            # a hold written without invalidating: the cached answer is still served
            await _hold(db, rid)
            assert _by_time(await _get(client, rid))["19:00"]["available"]
            # a hold that invalidates: the next answer is fresh
            await _hold(db, rid, at=time(21), cache=cache)
            slots = _by_time(await _get(client, rid))
            assert not slots["19:00"]["available"] and not slots["21:00"]["available"]
    finally:
        await cache.close()


async def test_memory_cache_is_invalidated_after_a_hold(db: Db) -> None:
    cache = MemoryCache()
    rid = await _restaurant(db, tables=1)
    async with _client(db, cache) as client:
        assert _by_time(await _get(client, rid))["19:00"]["available"]
        await _hold(db, rid, cache=cache)
        assert not _by_time(await _get(client, rid))["19:00"]["available"]


async def test_answers_stay_correct_when_redis_is_down(db: Db) -> None:
    cache = RedisCache("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        rid = await _restaurant(db, tables=1)
        async with _client(db, cache) as client:
            assert _by_time(await _get(client, rid))["19:00"]["available"]
            await _hold(db, rid, cache=cache)  # the invalidation itself fails quietly
            assert not _by_time(await _get(client, rid))["19:00"]["available"]
    finally:
        await cache.close()
