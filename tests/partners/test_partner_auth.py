"""The partner dependency: key, scope, restaurant list and rate limit on every partner route."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from models.enums import StaffRole
from reservations.cache import Cache, MemoryCache, RedisCache
from tests import conftest as base
from tests.conftest import REDIS_URL, Api, Database

BASE = "/api/v1/reservations"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(db: Database, cache: Cache, **overrides: object) -> AsyncIterator[Api]:
    app = create_app(base.test_settings(db.url, **overrides), engine=db.engine, cache=cache)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Api(client=client, db=db)


@pytest.fixture
async def api(pg_db: Database) -> AsyncIterator[Api]:
    async for a in _client(pg_db, MemoryCache(), partner_rate_limit=3):
        yield a


async def restaurant(api: Api, admin: dict[str, str]) -> str:
    body = {"name": f"R {uuid.uuid4().hex[:6]}", "timezone": "Europe/Amsterdam", "currency": "EUR"}
    r = await api.client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def key(api: Api, admin: dict[str, str], restaurants: list[str], scopes: list[str]) -> str:
    r = await api.client.post(
        f"{BASE}/partner-keys",
        json={
            "name": "group",
            "restaurant_ids": restaurants,
            "scopes": scopes,
            "channel": "thefork",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert sorted(r.json()["restaurant_ids"]) == sorted(restaurants)
    return str(r.json()["api_key"])


def day() -> str:
    return (datetime.now(UTC) + timedelta(days=5)).date().isoformat()


async def test_scope_and_restaurant_list(api: Api) -> None:
    admin = await api.token_for(StaffRole.ADMIN)
    a1, a2, b1 = [await restaurant(api, admin) for _ in range(3)]
    group_a = await key(api, admin, [a1, a2], ["availability:read"])
    writer = await key(api, admin, [a1], ["bookings:write"])
    params: dict[str, str | int] = {"date": day(), "party_size": 2}
    c = api.client

    def url(rid: str) -> str:
        return f"{BASE}/partners/restaurants/{rid}/availability"

    for rid in (a1, a2):
        ok = await c.get(url(rid), params=params, headers={"X-Api-Key": group_a})
        assert ok.status_code == 200, ok.text
    other = await c.get(url(b1), params=params, headers={"Authorization": f"Bearer {group_a}"})
    assert other.status_code == 404  # group B's restaurant does not exist for group A
    assert (await c.get(url(a1), params=params)).status_code == 401
    bad = await c.get(url(a1), params=params, headers={"X-Api-Key": group_a[:-2] + "xx"})
    assert bad.status_code == 401
    scope = await c.get(url(a1), params=params, headers={"X-Api-Key": writer})
    assert scope.status_code == 403

    listed = (await c.get(f"{BASE}/partner-keys", headers=admin)).json()["items"]
    key_id = next(k["id"] for k in listed if group_a.startswith(f"rk_{k['key_prefix']}_"))
    assert (await c.delete(f"{BASE}/partner-keys/{key_id}", headers=admin)).status_code == 200
    revoked = await c.get(url(a1), params=params, headers={"X-Api-Key": group_a})
    assert revoked.status_code == 401


async def test_rate_limit_answers_429_with_retry_after(api: Api) -> None:
    admin = await api.token_for(StaffRole.ADMIN)
    rid = await restaurant(api, admin)
    k = await key(api, admin, [rid], ["availability:read"])
    url = f"{BASE}/partners/restaurants/{rid}/availability"
    codes = []
    for _ in range(5):
        r = await api.client.get(
            url, params={"date": day(), "party_size": 2}, headers={"X-Api-Key": k}
        )
        codes.append(r.status_code)
    assert codes[:3] == [200, 200, 200]
    assert 429 in codes[3:]
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(r.headers["retry-after"]) <= 120  # a sliding window: up to two


async def test_rate_limit_counts_in_redis(pg_db: Database) -> None:
    cache = RedisCache(REDIS_URL)
    async for api in _client(pg_db, cache, partner_rate_limit=2):
        admin = await api.token_for(StaffRole.ADMIN)
        rid = await restaurant(api, admin)
        k = await key(api, admin, [rid], ["availability:read"])
        url = f"{BASE}/partners/restaurants/{rid}/availability"
        codes = [
            (
                await api.client.get(
                    url, params={"date": day(), "party_size": 2}, headers={"X-Api-Key": k}
                )
            ).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]


async def test_redis_down_fails_open(pg_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    closed = RedisCache(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    async for api in _client(pg_db, closed, partner_rate_limit=1):
        admin = await api.token_for(StaffRole.ADMIN)
        rid = await restaurant(api, admin)
        k = await key(api, admin, [rid], ["availability:read"])
        url = f"{BASE}/partners/restaurants/{rid}/availability"
        for _ in range(3):
            r = await api.client.get(
                url, params={"date": day(), "party_size": 2}, headers={"X-Api-Key": k}
            )
            assert r.status_code == 200, r.text
    assert "ratelimit.unavailable" in capsys.readouterr().out
