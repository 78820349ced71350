"""Search remembers restaurants' inputs, and no write over the API leaves it stale.

Each write path (restaurant, settings, opening hours, special days, party-size
overrides, tables, seating areas, bookings, an expiring hold) is driven over HTTP
after a search has filled the memo, and the next search must show the change, on
SQLite and PostgreSQL, with the in-process cache and with Redis.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from api.app import create_app
from api.routers.availability import clock
from models.enums import StaffRole
from reservations.cache import Cache, MemoryCache, NullCache, RedisCache
from services import allocation
from services.availability import invalidate_pending
from services.availability.memo import memo_for
from tests.allocation.helpers import make_guest, make_reservation, request
from tests.api.test_restaurants import BASE, restaurant_body
from tests.conftest import REDIS_URL, Api, Database
from tests.conftest import test_settings as settings_for

DAY = datetime.now(UTC).date() + timedelta(days=7)  # the clock is real over HTTP


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    made: Cache = MemoryCache() if request.param == "memory" else RedisCache(REDIS_URL)
    yield made
    await made.close()


@pytest.fixture
async def search_api(db: Database, cache: Cache) -> AsyncIterator[Api]:
    import httpx

    app = create_app(settings_for(db.url), engine=db.engine, cache=cache)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client=client, db=db)


class Place:
    """One restaurant (one table for four, dinner every day) and its admin."""

    def __init__(self, api: Api, headers: dict[str, str], rid: str, table: str, city: str):
        self.api, self.headers, self.rid, self.table, self.city = api, headers, rid, table, city

    @property
    def url(self) -> str:
        return f"{BASE}/restaurants/{self.rid}"

    async def search(self, **extra: Any) -> dict[str, Any] | None:
        """This restaurant's hit (its nearest slot and its slots), or None."""
        body = {
            "date": DAY.isoformat(),
            "time_from": "19:00",
            "time_to": "21:00",
            "party_size": 2,
            "city": self.city,
            **extra,
        }
        response = await self.api.client.post(f"{BASE}/search", json=body)
        assert response.status_code == 200, response.text
        hits = [h for h in response.json()["items"] if h["restaurant"]["id"] == self.rid]
        return hits[0] if hits else None

    async def write(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = await self.api.client.request(
            method, f"{self.url}{path}", json=body, headers=self.headers
        )
        assert response.status_code in (200, 201, 204), response.text
        return response.json() if response.status_code != 204 else {}


async def _place(api: Api) -> Place:
    headers = await api.token_for(StaffRole.ADMIN)
    city = f"city-{uuid.uuid4().hex[:8]}"
    body = restaurant_body(
        city=city,
        services=[
            {"weekday": d, "name": "dinner", "opens_at": "18:00", "closes_at": "23:00"}
            for d in range(7)
        ],
    )
    created = await api.client.post(f"{BASE}/restaurants", json=body, headers=headers)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    table = await api.client.post(
        f"{BASE}/restaurants/{rid}/tables",
        json={"number": "1", "max_capacity": 4},
        headers=headers,
    )
    assert table.status_code == 201, table.text
    return Place(api, headers, rid, table.json()["id"], city)


def _times(hit: dict[str, Any] | None) -> list[str]:
    return [] if hit is None else [s["time"][:5] for s in hit["slots"]]


async def test_a_second_search_is_answered_from_the_memo(search_api: Api, cache: Cache) -> None:
    place = await _place(search_api)
    first = await place.search()
    assert first is not None and first["nearest"]["time"][:5] == "19:00"
    assert await place.search() == first
    memo = memo_for(cache)
    # the second search loaded nothing: both parts came from the memo
    assert memo.last_static_loads == 0 and memo.last_booking_loads == 0


async def test_the_apis_null_cache_remembers_nothing(db: Database) -> None:
    import httpx

    # the API's cache when REDIS_URL is unset beside a separate worker
    nothing = NullCache()
    app = create_app(settings_for(db.url), engine=db.engine, cache=nothing)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            place = await _place(Api(client=client, db=db))
            assert await place.search() is not None
            assert memo_for(nothing).static == {} and memo_for(nothing).days == {}


Change = Callable[[Place], Awaitable[None]]


async def _timezone(p: Place) -> None:
    await p.write("PATCH", "", {"timezone": "America/New_York"})


async def _settings(p: Place) -> None:
    current = await p.write("GET", "/settings")
    await p.write("PUT", "/settings", {**current, "slot_interval_minutes": 60})


async def _opening_hours(p: Place) -> None:
    services = [
        {"weekday": d, "name": "late", "opens_at": "20:00", "closes_at": "23:00"} for d in range(7)
    ]
    await p.write("PUT", "/opening-hours", {"services": services})


async def _special_day(p: Place) -> None:
    await p.write("POST", "/special-days", {"starts_on": DAY.isoformat(), "kind": "closed"})


async def _override(p: Place) -> None:
    body = {"day": DAY.isoformat(), "starts_at": "18:00", "ends_at": "20:00", "max_party_size": 1}
    await p.write("POST", "/party-size-overrides", body)


async def _table_smaller(p: Place) -> None:
    await p.write("PATCH", f"/tables/{p.table}", {"max_capacity": 1})


async def _table_deleted(p: Place) -> None:
    await p.write("DELETE", f"/tables/{p.table}")


async def _table_offline(p: Place) -> None:
    await p.write("PATCH", f"/tables/{p.table}", {"online_bookable": False})


Hit = dict[str, Any] | None


def _moved(expected: list[str] | None) -> Callable[[Hit, Hit], bool]:
    def check(_before: Hit, after: Hit) -> bool:
        return after is None if expected is None else _times(after) == expected

    return check


def _other_instant(before: Hit, after: Hit) -> bool:
    # 19:00 in New York is another instant than 19:00 in Amsterdam
    assert before is not None
    return after is not None and after["nearest"]["starts_at"] != before["nearest"]["starts_at"]


EVERY_QUARTER = [f"{h}:{m:02d}" for h in (19, 20) for m in (0, 15, 30, 45)] + ["21:00"]
FROM_EIGHT = ["20:00", "20:15", "20:30", "20:45", "21:00"]

WRITES: dict[str, tuple[Change, Callable[[Hit, Hit], bool]]] = {
    "restaurant timezone": (_timezone, _other_instant),
    "settings": (_settings, _moved(["19:00", "20:00", "21:00"])),
    "opening hours": (_opening_hours, _moved(FROM_EIGHT)),
    "special day": (_special_day, _moved(None)),
    "party-size override": (_override, _moved(FROM_EIGHT)),
    "table capacity": (_table_smaller, _moved(None)),
    "table deleted": (_table_deleted, _moved(None)),
    "table offline": (_table_offline, _moved(None)),
}


@pytest.mark.parametrize("name", list(WRITES))
async def test_every_write_path_reaches_the_next_search(search_api: Api, name: str) -> None:
    change, shows = WRITES[name]
    place = await _place(search_api)
    before = await place.search()
    assert _times(before) == EVERY_QUARTER  # remembered now
    assert not shows(before, before)
    await change(place)
    after = await place.search()
    assert shows(before, after), after


async def test_deleting_a_special_day_or_override_reopens(search_api: Api) -> None:
    place = await _place(search_api)
    closed = await place.write(
        "POST", "/special-days", {"starts_on": DAY.isoformat(), "kind": "closed"}
    )
    limit = await place.write(
        "POST",
        "/party-size-overrides",
        {"day": DAY.isoformat(), "starts_at": "18:00", "ends_at": "23:00", "max_party_size": 1},
    )
    assert await place.search() is None  # remembered closed
    await place.write("DELETE", f"/special-days/{closed['id']}")
    assert await place.search() is None  # the override still limits the party
    await place.write("DELETE", f"/party-size-overrides/{limit['id']}")
    assert _times(await place.search()) == EVERY_QUARTER


async def test_a_new_table_and_a_seating_area_reach_the_next_search(search_api: Api) -> None:
    place = await _place(search_api)

    async def terrace_table() -> list[str]:
        hit = await place.search(seating_area="Terrace")
        assert hit is not None
        numbers: list[str] = hit["nearest"]["table_numbers"]
        return numbers

    assert await terrace_table() == ["1"]  # no such area yet: any table
    area = await place.write("POST", "/seating-areas", {"name": "Terrace"})
    await place.write(
        "POST", "/tables", {"number": "2", "max_capacity": 4, "seating_area_id": area["id"]}
    )
    # as small as table 1, and on the terrace
    assert await terrace_table() == ["2"]
    # moving table 1 onto the terrace too is seen: it comes first again
    await place.write("PATCH", f"/tables/{place.table}", {"seating_area_id": area["id"]})
    assert await terrace_table() == ["1"]


async def test_bookings_and_an_expiring_hold_reach_the_next_search(
    search_api: Api, cache: Cache
) -> None:
    place = await _place(search_api)
    rid = uuid.UUID(place.rid)
    assert _times(await place.search()) == EVERY_QUARTER
    now = datetime.now(UTC)
    # a hold as the worker's activity writes it: commit, then invalidate the day
    async with search_api.db.sessions() as session:
        async with session.begin():
            guest = await make_guest(session)
            res_id = await make_reservation(
                session, restaurant_id=rid, guest_id=guest.id, day=DAY, at=time(19)
            )
            held = await allocation.hold_tables(
                session, request=request(res_id, rid, guest.id, day=DAY, at=time(19)), now=now
            )
        await invalidate_pending(session, cache)
    assert held.held and held.hold_expires_at is not None
    # a two-hour stay from 19:00 leaves the table free from 21:00 only
    assert _times(await place.search()) == ["21:00"]
    app: Any = search_api.client._transport.app  # type: ignore[attr-defined]
    app.dependency_overrides[clock] = lambda: held.hold_expires_at + timedelta(seconds=1)
    try:
        # the hold expired: nothing was written, yet the memo must not outlive it
        assert _times(await place.search()) == EVERY_QUARTER
    finally:
        app.dependency_overrides.pop(clock)
