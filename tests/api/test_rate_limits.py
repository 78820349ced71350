"""Per-IP rate limits on the public routes (api/rate_limits.py), over HTTP."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from api.rate_limits import family_of
from models.enums import StaffRole
from reservations.cache import MemoryCache
from reservations.settings import Settings
from services.staff import create_staff
from tests.api.edge import edge_app
from tests.conftest import JWT_SECRET, REDIS_URL, Database
from tests.conftest import test_settings as settings_for

BOOK = "/api/v1/reservations/reservations"
LOOKUP = "/api/v1/reservations/reservations/lookup"
AN_ID = "6e00fc86-7872-454b-b086-f322a840e5b2"
A_LOOKUP = {"reference": "ABCDE12", "email": "nobody@example.com"}


def random_ip() -> str:
    """A documentation-range address of its own: Redis counters are shared between runs."""
    raw = uuid.uuid4().bytes
    return f"198.18.{raw[0]}.{raw[1]}"


async def book_until_refused(client: httpx.AsyncClient, times: int) -> list[int]:
    return [(await client.post(BOOK, json={})).status_code for _ in range(times)]


def assert_too_many(response: httpx.Response, setting: str, limit: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    # a sliding window: up to two windows for a caller that kept sending
    assert 1 <= int(response.headers["retry-after"]) <= 120
    body = response.json()
    assert body["limit"] == setting
    assert body["max_requests"] == limit
    assert body["window_seconds"] == 60


async def test_the_defaults_limit_bookings_at_30_a_minute_per_address(pg_db: Database) -> None:
    settings = Settings(_env_file=None, database_url=pg_db.url, jwt_secret=JWT_SECRET)
    assert settings.rate_limit_bookings == 30 and settings.rate_limit_lookups == 30
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        guest = client("203.0.113.7")
        neighbour = client("203.0.113.8")
        # an invalid body is still a request: the limit counts before the route reads it
        assert await book_until_refused(guest, 30) == [422] * 30
        assert_too_many(await guest.post(BOOK, json={}), "RATE_LIMIT_BOOKINGS", 30)
        # another address has its own budget, and lookups have theirs
        assert (await neighbour.post(BOOK, json={})).status_code == 422
        assert (await guest.post(LOOKUP, json=A_LOOKUP)).status_code == 404


async def test_lookups_bite_at_n_plus_one(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, rate_limit_lookups=3)
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        guest = client("203.0.113.9")
        codes = [(await guest.post(LOOKUP, json=A_LOOKUP)).status_code for _ in range(3)]
        assert codes == [404, 404, 404]
        assert_too_many(await guest.post(LOOKUP, json=A_LOOKUP), "RATE_LIMIT_LOOKUPS", 3)


async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, rate_limit_bookings=2, trusted_proxies="10.0.0.0/8")
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        caller = client("203.0.113.10")
        codes = [
            (
                await caller.post(BOOK, json={}, headers={"X-Forwarded-For": f"192.0.2.{n}"})
            ).status_code
            for n in range(3)
        ]
        assert codes == [422, 422, 429]


async def test_a_trusted_proxys_forwarded_for_names_the_client(pg_db: Database) -> None:
    settings = settings_for(
        pg_db.url, rate_limit_bookings=2, trusted_proxies="10.0.0.0/8, 127.0.0.1"
    )
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        proxy = client("10.1.2.3")

        async def from_(chain: str) -> int:
            response = await proxy.post(BOOK, json={}, headers={"X-Forwarded-For": chain})
            return response.status_code

        assert [await from_("198.51.100.1") for _ in range(2)] == [422, 422]
        assert await from_("198.51.100.1") == 429
        # a guest behind the same proxy is someone else
        assert await from_("198.51.100.2") == 422
        # what the guest wrote to the left of its real address does not help it
        assert await from_("192.0.2.99, 198.51.100.1") == 429
        # proxies in the chain are skipped: the nearest untrusted hop is the client
        assert await from_("198.51.100.1, 127.0.0.1") == 429


async def test_the_window_resets(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, rate_limit_bookings=1, rate_limit_window_seconds=1)
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        guest = client("203.0.113.11")
        # two requests in one window: the second is refused (a pair may straddle a window
        # boundary on a busy machine, hence a few tries)
        for _ in range(5):
            await guest.post(BOOK, json={})
            refused = await guest.post(BOOK, json={})
            if refused.status_code == 429:
                break
        assert refused.status_code == 429
        await asyncio.sleep(int(refused.headers["retry-after"]))
        assert (await guest.post(BOOK, json={})).status_code == 422


async def test_without_redis_the_api_process_counts(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, rate_limit_waitlist=2, redis_url=None)
    async with edge_app(pg_db, settings) as (app, client):
        assert isinstance(app.state.counters, MemoryCache)
        async with client("203.0.113.12") as guest:
            codes = [
                (await guest.post("/api/v1/reservations/waitlist", json={})).status_code
                for _ in range(3)
            ]
            assert codes == [422, 422, 429]


async def test_api_replicas_share_the_budget_in_redis(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, rate_limit_privacy=2, redis_url=REDIS_URL)
    ip = random_ip()
    path = "/api/v1/reservations/privacy/export-requests"
    async with edge_app(pg_db, settings) as (_, first), edge_app(pg_db, settings) as (_, second):
        one = first(ip)
        other = second(ip)
        assert (await one.post(path, json={})).status_code == 422
        assert (await other.post(path, json={})).status_code == 422
        refused = await one.post(path, json={})
        assert_too_many(refused, "RATE_LIMIT_PRIVACY", 2)


async def test_staff_with_a_valid_token_are_not_counted(pg_db: Database) -> None:
    settings = settings_for(pg_db.url, rate_limit_bookings=1)
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        desk = client("203.0.113.13")
        staff = await _sign_in(desk, pg_db)
        codes = [(await desk.post(BOOK, json={}, headers=staff)).status_code for _ in range(3)]
        assert codes == [422, 422, 422]
        # a forged token is an anonymous caller
        forged = {"Authorization": "Bearer not.a.token"}
        codes = [(await desk.post(BOOK, json={}, headers=forged)).status_code for _ in range(2)]
        assert codes == [422, 429]


async def _sign_in(client: httpx.AsyncClient, db: Database) -> dict[str, str]:
    email = f"desk-{uuid.uuid4().hex[:8]}@example.com"
    async with db.sessions() as session:
        await create_staff(
            session,
            email=email,
            full_name="Front desk",
            password="correct horse battery",
            role=StaffRole.ADMIN,
            restaurant_ids=[],
        )
        await session.commit()
    response = await client.post(
        "/api/v1/reservations/auth/token",
        json={"email": email, "password": "correct horse battery"},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.parametrize(
    ("method", "path", "family"),
    [
        ("POST", BOOK, "bookings"),
        ("POST", LOOKUP, "lookups"),
        ("POST", "/api/v1/reservations/waitlist", "waitlist"),
        ("PATCH", f"{BOOK}/{AN_ID}", "guest_actions"),
        ("POST", f"{BOOK}/{AN_ID}/cancel", "guest_actions"),
        ("POST", f"/manage/{AN_ID}/confirm", "guest_actions"),
        ("DELETE", f"/api/v1/reservations/waitlist/{AN_ID}", "guest_actions"),
        ("POST", f"/manage/waitlist/{AN_ID}/leave", "guest_actions"),
        ("POST", "/api/v1/reservations/privacy/erasure-requests", "privacy"),
        ("POST", "/api/v1/reservations/privacy/erasure/some-token", "privacy"),
        ("POST", "/marketing/unsubscribe", "privacy"),
        ("GET", BOOK + "/availability", None),
        ("GET", f"{BOOK}/{AN_ID}", None),
        ("POST", f"/api/v1/reservations/waitlist/{AN_ID}/seat", None),
        ("POST", "/api/v1/reservations/auth/token", None),
    ],
)
def test_public_routes_belong_to_their_family(method: str, path: str, family: str | None) -> None:
    found = family_of(method, path)
    assert (found.name if found else None) == family


async def test_loopback_callers_are_not_limited_unless_configured(pg_db: Database) -> None:
    # the embedded default: scripts and harnesses on the host book freely
    settings = settings_for(pg_db.url, rate_limit_bookings=2, rate_limit_exempt="127.0.0.0/8, ::1")
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        assert await book_until_refused(client("127.0.0.1"), 4) == [422] * 4
        assert (await book_until_refused(client("203.0.113.9"), 3))[-1] == 429
    # a proxy on the host, trusted: the client behind it is counted, not the proxy
    settings = settings_for(
        pg_db.url, rate_limit_bookings=2, trusted_proxies="127.0.0.1", rate_limit_exempt="::1"
    )
    async with edge_app(pg_db, settings, cache=MemoryCache()) as (_, client):
        proxy = client("127.0.0.1")
        forwarded = {"X-Forwarded-For": random_ip()}
        answers = [
            (await proxy.post(BOOK, json={}, headers=forwarded)).status_code for _ in range(3)
        ]
        assert answers == [422, 422, 429]
