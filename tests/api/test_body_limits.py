"""Request body size limits (api/body_limits.py): declared, chunked and webhook bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from reservations.cache import MemoryCache
from reservations.settings import Settings
from tests.api.edge import edge_app
from tests.conftest import Database
from tests.conftest import test_settings as settings_for

BOOK = "/api/v1/reservations/reservations"
ADYEN = "/api/v1/reservations/webhooks/adyen"


def limited(db: Database) -> Settings:
    return settings_for(db.url, max_request_body_bytes=2048, max_webhook_body_bytes=8192)


def assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "body"
    assert response.json()["max_bytes"] == limit


async def test_the_default_limit_is_one_mebibyte() -> None:
    settings = Settings(_env_file=None)
    assert settings.max_request_body_bytes == settings.max_webhook_body_bytes == 1024 * 1024


async def test_a_declared_length_over_the_limit_is_refused_unread(pg_db: Database) -> None:
    received: list[bytes] = []

    async def body() -> AsyncIterator[bytes]:
        for _ in range(3):
            received.append(b"x" * 1024)
            yield b"x" * 1024

    async with edge_app(pg_db, limited(pg_db), cache=MemoryCache()) as (_, client):
        response = await client("203.0.113.20").post(
            BOOK, content=body(), headers={"Content-Length": "3072"}
        )
        assert_too_large(response, 2048)
        assert received == []  # refused on the header alone


async def test_a_chunked_body_is_cut_off_at_the_limit(pg_db: Database) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        while sent < 100 * 1024 * 1024:  # a runaway client; the test fails if read through
            sent += 1024
            yield b"x" * 1024

    async with edge_app(pg_db, limited(pg_db), cache=MemoryCache()) as (_, client):
        response = await client("203.0.113.21").post(BOOK, content=endless())
        assert "content-length" not in response.request.headers
        assert_too_large(response, 2048)
        assert sent <= 4 * 1024  # reading stopped just past the limit


async def test_a_body_within_the_limit_reaches_the_route(pg_db: Database) -> None:
    async with edge_app(pg_db, limited(pg_db), cache=MemoryCache()) as (_, client):
        response = await client("203.0.113.22").post(BOOK, json={"note": "x" * 1500})
        assert response.status_code == 422  # the route read it and named what is missing


async def test_webhooks_have_their_own_bound(pg_db: Database) -> None:
    async with edge_app(pg_db, limited(pg_db), cache=MemoryCache()) as (_, client):
        provider = client("203.0.113.23")
        # larger than the general limit, within the webhook one: the route answers (no auth)
        response = await provider.post(ADYEN, content=b"{" + b" " * 4000 + b"}")
        assert response.status_code == 401, response.text
        assert_too_large(await provider.post(ADYEN, content=b" " * 9000), 8192)
