"""Shared steps for partner conformance tests: a restaurant, a partner key, signed requests."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.api.conftest import LiveApi
from tests.api.test_reservation_lifecycle import ALL_DAY

BASE = "/api/v1/reservations"


async def restaurant(live: LiveApi, admin: dict[str, str], *, tables: int = 1) -> str:
    body = {
        "name": f"Bistro {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
        "settings": {"min_notice_minutes": 0, "default_seating_minutes": 90},
        "services": ALL_DAY,
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


def slot(hours_ahead: float = 2, *, days: int = 0) -> tuple[str, str]:
    """A slot on Amsterdam's clock, on the 15-minute grid."""
    local = datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(hours=hours_ahead, days=days)
    local += timedelta(minutes=-local.minute % 15)
    return local.date().isoformat(), local.strftime("%H:%M")


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def now_iso(offset_seconds: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=offset_seconds)).isoformat()


def unix_now() -> int:
    return int(time.time())
