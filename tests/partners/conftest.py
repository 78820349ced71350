"""Fixtures for partner channel tests: the live API (real worker on the Temporal dev server)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.testing import WorkflowEnvironment

from models.enums import StaffRole
from tests.api.conftest import LiveApi, dev_server, live_api  # noqa: F401 (fixture)
from tests.conftest import Database
from tests.partners.fake_google import FakeGoogle

BASE = "/api/v1/reservations"
GOOGLE_CREDENTIALS = "google:first-secret,google-next:second-secret"
ZONE = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
async def live(pg_db: Database, dev_server: WorkflowEnvironment) -> AsyncIterator[LiveApi]:  # noqa: F811
    async with live_api(pg_db, dev_server, google_booking_credentials=GOOGLE_CREDENTIALS) as api:
        yield api


@pytest.fixture
async def fake_google() -> AsyncIterator[FakeGoogle]:
    """The local Maps Booking API (notifications and OAuth tokens)."""
    server = FakeGoogle()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def admin(live: LiveApi) -> dict[str, str]:
    return await live.token_for(StaffRole.ADMIN)


async def make_restaurant(
    live: LiveApi, admin: dict[str, str], *, tables: int = 2, **settings: Any
) -> str:
    """A dinner restaurant in Amsterdam (17:00-23:00, last seating 21:30), tables for 1-4."""
    body = {
        "name": f"Bistro {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90, **settings},
        "services": [
            {
                "weekday": d,
                "name": "dinner",
                "opens_at": "17:00",
                "closes_at": "23:00",
                "last_seating_at": "21:30",
            }
            for d in range(7)
        ],
    }
    r = await live.client.post(f"{BASE}/restaurants", json=body, headers=admin)
    assert r.status_code == 201, r.text
    rid = str(r.json()["id"])
    for n in range(1, tables + 1):
        t = await live.client.post(
            f"{BASE}/restaurants/{rid}/tables",
            json={"number": str(n), "min_capacity": 1, "max_capacity": 4},
            headers=admin,
        )
        assert t.status_code == 201, t.text
    return rid


def start_sec(at: str = "19:00", days: int = 10) -> int:
    """A local dinner time `days` from now in Amsterdam, as Google's start_sec."""
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    hour, minute = map(int, at.split(":"))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)
    return int(local.timestamp())
