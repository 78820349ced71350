"""The Temporal dev server is killed during a hold and restarted on its persisted database.

A deposit booking is held for HOLD_MINUTES=1. The server is killed (-9) with that
hold's timer pending; while it is down the API answers 503 to a booking and /readyz
says not ready. The server is started again on the same port and SQLite file; the
worker and the API reconnect by themselves, the booking refused meanwhile is made on
the guest's retry, and the hold expires on time: its tables are released within
seconds of hold_expires_at, not early, and no booking is lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.enums import AllocationStatus
from models.orm import Reservation, TableAllocation
from tests.api.conftest import eventually
from tests.api.test_reservation_lifecycle import booking
from tests.faults.stack import BASE, PATIENCE, Cluster, Stack, restaurant, running_stack

pytestmark = [
    pytest.mark.long_running,
    pytest.mark.xdist_group("faults-temporal_restart"),
    pytest.mark.temporal,
    pytest.mark.postgres,
]

# the timer fires on the server's clock; the release is one activity after it
RELEASE_SLACK = dt.timedelta(seconds=15)


async def status_of(stack: Stack, res: dict[str, str]) -> str:
    shown = await stack.client.get(
        f"{BASE}/reservations/{res['id']}", params={"token": res["manage_token"]}
    )
    assert shown.status_code == 200, shown.text
    return str(shown.json()["status"])


async def test_a_hold_expires_on_time_across_a_temporal_restart_and_no_booking_is_lost(
    cluster: Cluster, tmp_path: Path
) -> None:
    async with running_stack(cluster, tmp_path, settings={"hold_minutes": 1}) as stack:
        admin = await stack.admin()
        rid = await restaurant(stack, admin, payment_mode="deposit", payment_fixed_minor=2500)
        plain = await restaurant(stack, admin)  # no deposit: its bookings are not held
        made = await stack.client.post(f"{BASE}/reservations", json=booking(rid))
        assert made.status_code == 201, made.text
        res = made.json()
        assert res["status"] == "held"
        expires = dt.datetime.fromisoformat(res["hold_expires_at"])

        await asyncio.to_thread(stack.temporal.kill)

        second = booking(plain, at="20:00", email="second@example.com")
        refused = await stack.client.post(f"{BASE}/reservations", json=second, timeout=60)
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        ready = await stack.client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["temporal"].startswith("unavailable")
        assert await status_of(stack, res) == "held"  # reads need no Temporal

        await asyncio.to_thread(stack.temporal.start)

        async def ready_again() -> bool:
            return (await stack.client.get("/readyz")).status_code == 200

        await eventually(ready_again, "the API ready again without a restart", seconds=PATIENCE)
        retried = await stack.client.post(f"{BASE}/reservations", json=second, timeout=60)
        assert retried.status_code == 201, retried.text
        assert dt.datetime.now(dt.UTC) < expires, "the restart took longer than the hold"
        assert await status_of(stack, res) == "held"

        async def expired() -> bool:
            return await status_of(stack, res) == "expired"

        await eventually(expired, "the hold expired", seconds=2 * PATIENCE)
        async with stack.db.sessions() as session:
            released = list(
                await session.scalars(
                    select(TableAllocation.released_at).where(
                        TableAllocation.reservation_id == uuid.UUID(res["id"])
                    )
                )
            )
            active = await session.scalar(
                select(func.count())
                .select_from(TableAllocation)
                .where(TableAllocation.status != AllocationStatus.RELEASED)
            )
            bookings = await session.scalar(select(func.count()).select_from(Reservation))
        assert released and all(r is not None for r in released)
        for at in released:
            assert at is not None
            moment = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
            assert expires <= moment <= expires + RELEASE_SLACK, (expires, moment)
        assert bookings == 2  # the held one and the one retried after the 503
        assert active == 1  # the second booking's table; the expired hold holds nothing
        assert await status_of(stack, retried.json()) == "confirmed"
